//! `neurone cv` and `neurone search` run as a user runs them: the real binary, real files.

mod common;
use common::{example, run as neurone, scratch};

use std::path::Path;
use std::process::Output;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn succeeded(output: &Output) {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Every row of a CSV file but its last column (the one that holds a time).
fn without_last_column(csv: &str) -> Vec<String> {
    csv.lines().map(|line| line.rsplit_once(',').map_or(line, |(rest, _)| rest).to_owned()).collect()
}

#[test]
fn cv_trains_one_model_per_fold_on_the_training_split_and_writes_its_files() {
    let folder = scratch("cv-iris");
    let output = neurone(&["cv", &example("iris"), "--folds", "4", "--out", "cv"], &folder);
    succeeded(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("4 folds of 120 samples: accuracy "), "{stdout}");

    let csv = read(&folder.join("cv/cv.csv"));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("repeat,fold,train_samples,validation_samples,accuracy,epochs,best_epoch,seconds"));
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), 4);
    // Iris' 150 flowers less the 30 of its test split, shared out into 4 folds of 30.
    for row in &rows {
        assert_eq!((row[2], row[3]), ("90", "30"), "{row:?}");
        let accuracy: f64 = row[4].parse().unwrap();
        assert!(accuracy > 0.8, "fold accuracy {accuracy}");
    }
    let json: serde_json::Value = serde_json::from_str(&read(&folder.join("cv/cv.json"))).unwrap();
    let scores: Vec<f64> = rows.iter().map(|row| row[4].parse().unwrap()).collect();
    let mean = scores.iter().sum::<f64>() / 4.0;
    assert!((json["metrics"]["accuracy"]["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert_eq!(json["samples"], 120);
    for file in ["cv_curves.png", "cv_curves.svg", "config.toml"] {
        assert!(folder.join("cv").join(file).exists(), "{file} written");
    }
}

#[test]
fn cv_repeats_draw_new_folds_and_bad_folds_are_usage_errors() {
    let folder = scratch("cv-repeats");
    let args = ["cv", &example("iris"), "--folds", "3", "--repeats", "2", "--quiet", "--no-plots", "--out", "cv"];
    succeeded(&neurone(&args, &folder));
    let csv = read(&folder.join("cv/cv.csv"));
    let positions: Vec<String> =
        csv.lines().skip(1).map(|line| line.split(',').take(2).collect::<Vec<_>>().join(",")).collect();
    assert_eq!(positions, ["1,1", "1,2", "1,3", "2,1", "2,2", "2,3"]);
    assert!(!folder.join("cv/cv_curves.png").exists(), "--no-plots");
    // The folder holds a cross-validation now: another is refused unless --overwrite, as for train.
    let again = neurone(&args, &folder);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --overwrite"), "{again:?}");

    let output = neurone(&["cv", &example("iris"), "--folds", "1"], &folder);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: --folds: 1 folds of 120 samples: need 2 ≤ folds ≤ samples"), "{stderr}");
}

#[test]
fn a_search_gives_the_same_table_whatever_the_jobs_and_refits_the_best() {
    let folder = scratch("search-jobs");
    let search = |jobs: &str, out: &str| {
        let args = [
            "search",
            &example("iris"),
            "--grid",
            "train.l2=[1e-3, 1e-1]",
            "--grid",
            "model.layers=[[4], [16]]",
            "--folds",
            "3",
            "--jobs",
            jobs,
            "--no-plots",
            "--out",
            out,
        ];
        let output = neurone(&args, &folder);
        succeeded(&output);
        (String::from_utf8_lossy(&output.stdout).into_owned(), read(&folder.join(out).join("search.csv")))
    };
    let (stdout, one_job) = search("1", "one");
    let (_, two_jobs) = search("2", "two");
    assert_eq!(without_last_column(&one_job), without_last_column(&two_jobs), "bit for bit, fit time aside");
    let header = one_job.lines().next().unwrap();
    assert_eq!(header, "candidate,train.l2,model.layers,mean_accuracy,std_accuracy,rank,note,fit_seconds");
    assert_eq!(one_job.lines().count(), 5);
    assert!(one_job.lines().nth(4).unwrap().starts_with("4,0.1,[16],"), "the grid's last combination: {one_job}");
    assert!(stdout.contains("test split (30 samples): accuracy"), "the best is tested once: {stdout}");

    // best.toml is the rank-1 candidate, and training it gives the refit's results exactly.
    let best_row = one_job.lines().skip(1).find(|line| line.split(',').nth(5) == Some("1")).unwrap().to_owned();
    let best = read(&folder.join("one/best.toml"));
    let l2: f64 = best_row.split(',').nth(1).unwrap().parse().unwrap();
    assert!(best.contains(&format!("l2 = {l2:?}")) || best.contains(&format!("l2 = {l2}")), "{best_row}\n{best}");
    succeeded(&neurone(&["train", "one/best.toml", "--quiet", "--no-plots", "--out", "again"], &folder));
    let metrics = |run: &str| {
        let json: serde_json::Value = serde_json::from_str(&read(&folder.join(run).join("metrics.json"))).unwrap();
        (json["accuracy"].clone(), json["final_train_loss"].clone())
    };
    assert_eq!(metrics("one/best"), metrics("again"));
}

#[test]
fn a_random_search_draws_its_candidates_from_the_seed() {
    let folder = scratch("search-random");
    let search = |out: &str| {
        let args = [
            "search",
            &example("iris"),
            "--random",
            "3",
            "--space",
            "train.l2=log_uniform(1e-4, 1e-1)",
            "--space",
            "model.activation=choice([relu, tanh])",
            "--folds",
            "2",
            "--quiet",
            "--no-plots",
            "--out",
            out,
        ];
        succeeded(&neurone(&args, &folder));
        without_last_column(&read(&folder.join(out).join("search.csv")))
    };
    let first = search("a");
    assert_eq!(first, search("b"));
    assert_eq!(first.len(), 4);
    for row in &first[1..] {
        let l2: f64 = row.split(',').nth(1).unwrap().parse().unwrap();
        assert!((1e-4..1e-1).contains(&l2), "{row}");
    }
}

#[test]
fn bad_grid_and_space_values_get_one_line_like_set() {
    let folder = scratch("search-errors");
    let cases = [
        (
            vec!["--grid", "model.layers=[[16], [0]]"],
            "iris.toml with --grid model.layers=[0]: must be at least 1, got 0",
        ),
        (vec!["--grid", "train.lerning_rate=[0.1]"], "did you mean `learning_rate`?"),
        (vec!["--grid", "train.l2=0.1"], "--grid train.l2=0.1: expected a list of values"),
        (
            vec!["--random", "2", "--space", "train.l2=log_uniform(0, 1)"],
            "--space train.l2=log_uniform(0, 1): a log-uniform distribution needs 0 < low, got 0",
        ),
        (vec!["--random", "2", "--space", "model.dropout=uniform(1, 2)"], "with --space model.dropout="),
    ];
    let iris = example("iris");
    for (extra, expected) in cases {
        let args = [vec!["search", iris.as_str()], extra.clone(), vec!["--out", "out"]].concat();
        let output = neurone(&args, &folder);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{extra:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(!folder.join("out").exists(), "{extra:?}: nothing trained, nothing written");
    }
}

#[test]
fn a_resumed_search_keeps_the_finished_candidates_and_gives_the_same_table() {
    let folder = scratch("search-resume");
    let iris = example("iris");
    let search = |extra: &[&str]| {
        let grid = ["--grid", "train.l2=[1e-3, 1e-2, 1e-1]", "--folds", "2", "--jobs", "2", "--quiet", "--no-plots"];
        neurone(&[&["search", iris.as_str()], &grid[..], extra].concat(), &folder)
    };
    succeeded(&search(&["--out", "whole"]));
    let whole = read(&folder.join("whole/search.csv"));

    // An interrupted search: its record holds the first candidate only.
    succeeded(&search(&["--out", "cut"]));
    let record_path = folder.join("cut/search-record.json");
    let mut record: serde_json::Value = serde_json::from_str(&read(&record_path)).unwrap();
    let first = record["scores"][0].clone();
    record["scores"] = serde_json::json!([first, null, null]);
    std::fs::write(&record_path, record.to_string()).unwrap();
    std::fs::remove_file(folder.join("cut/search.csv")).unwrap();
    succeeded(&search(&["--resume", "cut"]));
    assert_eq!(without_last_column(&read(&folder.join("cut/search.csv"))), without_last_column(&whole));
    let resumed: serde_json::Value = serde_json::from_str(&read(&record_path)).unwrap();
    assert_eq!(resumed["scores"][0], first, "the finished candidate is kept, not trained again");

    // Resuming with other candidates is refused.
    let output = neurone(&["search", &iris, "--grid", "train.l2=[0]", "--resume", "cut"], &folder);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("this search had other candidates, folds or seed"), "{stderr}");
}

/// A search interrupted before the search moved into the library (its record written by that
/// code, kept in `tests/fixtures/search-made-before-the-move/`) resumes to the table and best
/// experiment the uninterrupted search of that code wrote: a plain search whose record holds
/// its first candidate, and a halving search stopped between its two rounds.
#[test]
fn a_search_recorded_before_the_move_into_the_library_resumes_to_its_table() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search-made-before-the-move");
    let folder = scratch("search-before-the-move");
    let iris = example("iris");
    for (kind, extra) in
        [("plain", &["--set", "train.epochs=5"][..]), ("halving", &["--set", "train.epochs=9", "--halving", "epochs"])]
    {
        let cut = folder.join(kind);
        std::fs::create_dir_all(&cut).unwrap();
        let record = if kind == "plain" { "search-record.json" } else { "search-record-round1.json" };
        std::fs::copy(fixtures.join(kind).join(record), cut.join(record)).unwrap();
        let grid = ["--grid", "train.l2=[1e-3, 1e-2, 1e-1]", "--folds", "2", "--quiet", "--no-plots", "--resume", kind];
        succeeded(&neurone(&[&["search", iris.as_str()], &grid[..], extra].concat(), &folder));
        let whole = read(&fixtures.join(kind).join("whole-search.csv"));
        assert_eq!(without_last_column(&read(&cut.join("search.csv"))), without_last_column(&whole), "{kind}");
        assert_eq!(read(&cut.join("best.toml")), read(&fixtures.join(kind).join("whole-best.toml")), "{kind}");
        let kept: serde_json::Value = serde_json::from_str(&read(&cut.join(record))).unwrap();
        let before: serde_json::Value = serde_json::from_str(&read(&fixtures.join(kind).join(record))).unwrap();
        assert_eq!(kept["scores"][0], before["scores"][0], "{kind}: the finished candidate is kept, not trained again");
    }
}

#[test]
fn a_search_stopped_by_a_real_sigint_resumes_to_the_uninterrupted_table() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let folder = scratch("search-sigint");
    let sine = example("sine");
    let args = |out: &[&str]| -> Vec<String> {
        let grid = ["--grid", "train.l2=[0,1e-6,1e-5,1e-4,1e-3,1e-2]", "--set", "train.epochs=1000", "--folds", "2"];
        let fixed = ["search", sine.as_str(), "--jobs", "1", "--no-plots"];
        [&fixed[..], &grid[..], out].concat().into_iter().map(str::to_owned).collect()
    };
    succeeded(&neurone(&args(&["--quiet", "--out", "whole"]).iter().map(String::as_str).collect::<Vec<_>>(), &folder));

    // Not quiet, and not a terminal: one line on stderr per finished candidate.
    let mut child = Command::new(env!("CARGO_BIN_EXE_neurone"))
        .args(args(&["--out", "cut"]))
        .current_dir(&folder)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut finished = 0;
    for line in stderr.by_ref() {
        if line.unwrap().starts_with("candidate ") {
            finished += 1;
        }
        if finished == 2 {
            let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
            assert!(kill.success());
            break;
        }
    }
    let rest: Vec<String> = stderr.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "the shell's code for SIGINT: {rest:?}");
    let message = rest.last().expect("a last line");
    assert!(message.starts_with("error: interrupted: ") && message.contains("--resume"), "{rest:?}");
    assert!(!folder.join("cut/search.csv").exists(), "no table before every candidate is scored");
    let record: serde_json::Value = serde_json::from_str(&read(&folder.join("cut/search-record.json"))).unwrap();
    let kept = record["scores"].as_array().unwrap().iter().filter(|score| !score.is_null()).count();
    assert!((2..6).contains(&kept), "the finished candidates are kept, the others are not: {kept}");

    let resumed = args(&["--quiet", "--resume", "cut"]);
    succeeded(&neurone(&resumed.iter().map(String::as_str).collect::<Vec<_>>(), &folder));
    let cut = without_last_column(&read(&folder.join("cut/search.csv")));
    assert_eq!(cut, without_last_column(&read(&folder.join("whole/search.csv"))));
}

#[test]
fn successive_halving_keeps_a_third_per_round_on_three_times_the_budget_whatever_the_jobs() {
    let folder = scratch("search-halving");
    let sine = example("sine");
    let search = |jobs: &str, out: &str| {
        let grid = "train.l2=[0,1e-6,1e-5,1e-4,1e-3,3e-3,1e-2,3e-2,1e-1]";
        let args = ["search", sine.as_str(), "--halving", "epochs", "--grid", grid, "--set", "train.epochs=300"];
        let rest = ["--folds", "2", "--jobs", jobs, "--quiet", "--no-plots", "--out", out];
        succeeded(&neurone(&[&args[..], &rest[..]].concat(), &folder));
        read(&folder.join(out).join("search.csv"))
    };
    let csv = search("2", "two");
    assert_eq!(without_last_column(&csv), without_last_column(&search("1", "one")), "the same table whatever --jobs");

    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("candidate,round,epochs,train.l2,mean_r2,std_r2,rank,note,fit_seconds"));
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    // 9 candidates on 33 epochs, the best 3 on 100, the best one on 300.
    let reached = |round: &str, epochs: &str| rows.iter().filter(|row| row[1] == round && row[2] == epochs).count();
    assert_eq!((reached("1", "33"), reached("2", "100"), reached("3", "300")), (6, 2, 1), "{csv}");
    let best = rows.iter().find(|row| row[6] == "1").unwrap();
    assert_eq!(best[1], "3", "the best is the last round's: {csv}");
    // The three that went on are the first round's best three.
    let dropped: Vec<f64> = rows.iter().filter(|row| row[1] == "1").map(|row| row[4].parse().unwrap()).collect();
    let later: Vec<&Vec<&str>> = rows.iter().filter(|row| row[1] != "1").collect();
    assert_eq!(later.len(), 3);
    let record: serde_json::Value = serde_json::from_str(&read(&folder.join("two/search-record-round1.json"))).unwrap();
    let round_one: Vec<f64> =
        record["scores"].as_array().unwrap().iter().map(|s| s["mean"].as_f64().unwrap()).collect();
    let worst_kept =
        later.iter().map(|row| round_one[row[0].parse::<usize>().unwrap() - 1]).fold(f64::INFINITY, f64::min);
    let best_dropped = dropped.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(worst_kept >= best_dropped, "kept {worst_kept} < dropped {best_dropped}");
    let best_toml = read(&folder.join("two/best.toml"));
    assert!(best_toml.contains("epochs = 300"), "the best is refitted on the whole budget:\n{best_toml}");
}

#[test]
fn halving_on_rows_subsets_the_folds_data_and_its_budget_cannot_be_searched() {
    let folder = scratch("search-halving-rows");
    let iris = example("iris");
    let grid = ["--grid", "train.l2=[0,1e-4,1e-3,1e-2]", "--folds", "2", "--quiet", "--no-plots"];
    let output =
        neurone(&[&["search", iris.as_str(), "--halving", "rows", "--out", "rows"], &grid[..]].concat(), &folder);
    succeeded(&output);
    let csv = read(&folder.join("rows/search.csv"));
    assert!(csv.starts_with("candidate,round,rows,train.l2,"), "{csv}");
    // 4 candidates over the 120 rows left out of the test split: 40 rows, then the best 2 on 120.
    let budgets: Vec<&str> = csv.lines().skip(1).map(|line| line.split(',').nth(2).unwrap()).collect();
    assert_eq!(
        (budgets.iter().filter(|b| **b == "40").count(), budgets.iter().filter(|b| **b == "120").count()),
        (2, 2)
    );

    let output = neurone(&["search", &iris, "--halving", "epochs", "--grid", "train.epochs=[10,20]"], &folder);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--halving epochs: train.epochs is the budget that halving sets"), "{stderr}");
}
