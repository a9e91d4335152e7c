//! Compiling exported code as a user would: the C header into a small driver with
//! `gcc -std=c99 -Wall -Wextra -Werror -pedantic -O2`, the Rust module into a `#![no_std]`
//! library crate (rustc, no dependency) called from a small std driver. Both drivers read one
//! sample per line on standard input and print the outputs, bits exact.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Reads samples, calls `PREFIX_predict`, prints each output with the 9 digits an f32 needs.
const C_DRIVER: &str = r#"#include <stdio.h>
#include HEADER

int main(void)
{
    float input[INPUTS], output[OUTPUTS];
    int i;
    for (;;) {
        for (i = 0; i < INPUTS; i++) {
            if (scanf("%f", &input[i]) != 1) return 0;
        }
        PREDICT(input, output);
        for (i = 0; i < OUTPUTS; i++) printf(i ? " %.9g" : "%.9g", (double)output[i]);
        printf("\n");
    }
}
"#;

const RUST_DRIVER: &str = r#"use std::io::BufRead;
fn main() {
    for line in std::io::stdin().lock().lines() {
        let values: Vec<f32> = line.unwrap().split_whitespace().map(|v| v.parse().unwrap()).collect();
        let mut output = [0.0f32; exported::model::OUTPUTS];
        exported::model::predict(values.as_slice().try_into().unwrap(), &mut output);
        let printed: Vec<String> = output.iter().map(|v| format!("{v:?}")).collect();
        println!("{}", printed.join(" "));
    }
}
"#;

/// Runs `command`, failing the test with its output if it fails.
fn succeed(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The header `header` (functions prefixed `prefix`) compiled into the C driver.
pub fn c_program(header: &Path, prefix: &str) -> PathBuf {
    let folder = header.parent().unwrap();
    let driver = folder.join(format!("{prefix}_driver.c"));
    std::fs::write(&driver, C_DRIVER).unwrap();
    let program = folder.join(format!("{prefix}_c"));
    let upper = prefix.to_uppercase();
    succeed(
        Command::new("gcc")
            .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"])
            .arg(format!("-DHEADER=\"{}\"", header.file_name().unwrap().to_string_lossy()))
            .arg(format!("-DINPUTS={upper}_INPUTS"))
            .arg(format!("-DOUTPUTS={upper}_OUTPUTS"))
            .arg(format!("-DPREDICT={prefix}_predict"))
            .arg(&driver)
            .arg("-o")
            .arg(&program),
        "gcc",
    );
    program
}

/// The module `module` compiled as `exported::model` in a `#![no_std]` crate, and a driver.
pub fn rust_program(module: &Path) -> PathBuf {
    let folder = module.parent().unwrap();
    let stem = module.file_stem().unwrap().to_string_lossy().into_owned();
    let library = folder.join(format!("{stem}_lib.rs"));
    let module_name = module.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::write(&library, format!("#![no_std]\n#[path = \"{module_name}\"]\npub mod model;\n")).unwrap();
    let rlib = folder.join(format!("lib{stem}_exported.rlib"));
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    succeed(
        Command::new(&rustc)
            .args(["--edition", "2021", "--crate-type", "rlib", "--crate-name", "exported", "-O", "-D", "warnings"])
            .arg(&library)
            .arg("-o")
            .arg(&rlib),
        "rustc (no_std library)",
    );
    let driver = folder.join(format!("{stem}_driver.rs"));
    std::fs::write(&driver, RUST_DRIVER).unwrap();
    let program = folder.join(format!("{stem}_rust"));
    succeed(
        Command::new(&rustc)
            .args(["--edition", "2021", "-O"])
            .arg(&driver)
            .arg("--extern")
            .arg(format!("exported={}", rlib.display()))
            .arg("-o")
            .arg(&program),
        "rustc (driver)",
    );
    program
}

/// The outputs `program` prints for `samples`.
pub fn outputs(program: &Path, samples: &[Vec<f32>]) -> Vec<Vec<f32>> {
    let mut child = Command::new(program).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut input = String::new();
    for sample in samples {
        let values: Vec<String> =
            sample.iter().map(|v| if v.is_nan() { "nan".into() } else { format!("{v:?}") }).collect();
        input.push_str(&values.join(" "));
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(output.status.success(), "{} failed", program.display());
    parse_rows(&String::from_utf8(output.stdout).unwrap(), ' ')
}

/// Rows of numbers separated by `separator`.
pub fn parse_rows(text: &str, separator: char) -> Vec<Vec<f32>> {
    text.lines().map(|line| line.split(separator).map(|v| v.trim().parse().unwrap()).collect()).collect()
}
