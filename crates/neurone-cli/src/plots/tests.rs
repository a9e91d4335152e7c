//! Every figure writes a whole PNG of the promised size and an SVG with its labels, and
//! nothing else.

use std::path::{Path, PathBuf};

use super::*;

/// A fresh, empty folder for one test.
fn scratch(test: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-plots-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// Checks `folder/NAME.png`: the PNG signature, an IHDR chunk first and the IEND chunk last
/// (so the file is whole); returns its width and height.
fn png_size(folder: &Path, name: &str) -> (u32, u32) {
    let path = folder.join(format!("{name}.png"));
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    assert!(bytes.len() > 1000, "{name}.png is only {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}.png has no PNG signature");
    assert_eq!(&bytes[8..16], b"\0\0\0\x0dIHDR", "{name}.png does not start with its header");
    assert_eq!(&bytes[bytes.len() - 12..], b"\0\0\0\0IEND\xae\x42\x60\x82", "{name}.png is cut short");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

/// Reads `folder/NAME.svg`, checks it is one SVG element, and returns its text.
fn svg_text(folder: &Path, name: &str) -> String {
    let path = folder.join(format!("{name}.svg"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    assert!(text.trim_start().starts_with("<svg") && text.trim_end().ends_with("</svg>"), "{name}.svg");
    assert_eq!(text.matches('<').count(), text.matches('>').count(), "{name}.svg has unbalanced tags");
    text
}

/// The folder holds exactly these files (no temporary file left behind).
fn assert_files(folder: &Path, expected: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = expected.iter().map(|name| (*name).to_owned()).collect();
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn learning_curves_with_a_metric_panel_and_a_log_axis() {
    let folder = scratch("curves");
    let train: Vec<f64> = (1..=300).map(|epoch| 1.0 / f64::from(epoch).powi(2)).collect();
    let validation: Vec<f64> = (1..=300).map(|epoch| 1.0 / f64::from(epoch) + 1e-3 * f64::from(epoch)).collect();
    let accuracy: Vec<f64> = (1..=300).map(|epoch| 1.0 - 1.0 / f64::from(epoch)).collect();
    let curves = LearningCurves {
        train_loss: &train,
        validation_loss: Some(&validation),
        metric: Some(("accuracy", &accuracy)),
        best_epoch: Some(32),
        loss_name: "mse",
    };
    learning_curves(&folder, &curves).unwrap();
    assert_files(&folder, &["learning_curves.png", "learning_curves.svg"]);
    assert_eq!(png_size(&folder, "learning_curves"), (960, 880));
    let svg = svg_text(&folder, "learning_curves");
    for label in ["epoch", "loss (mse)", "training", "validation", "best epoch (32)", "validation accuracy", "1e-4"] {
        assert!(svg.contains(label), "no {label:?} in learning_curves.svg");
    }
}

#[test]
fn learning_curves_of_a_single_epoch_without_validation() {
    let folder = scratch("one-epoch");
    let curves =
        LearningCurves { train_loss: &[0.5], validation_loss: None, metric: None, best_epoch: None, loss_name: "mse" };
    learning_curves(&folder, &curves).unwrap();
    assert_eq!(png_size(&folder, "learning_curves"), (960, 600));
    assert!(!svg_text(&folder, "learning_curves").contains("validation"));
}

#[test]
fn a_one_input_fit_shows_points_target_and_network() {
    let folder = scratch("fit");
    let train_x: Vec<f64> = (0..50).map(|i| f64::from(i) * 0.13).collect();
    let train_y: Vec<f64> = train_x.iter().map(|x| x.sin()).collect();
    let grid_x: Vec<f64> = (0..100).rev().map(|i| f64::from(i) * std::f64::consts::TAU / 99.0).collect();
    let target_y: Vec<f64> = grid_x.iter().map(|x| x.sin()).collect();
    let predicted_y: Vec<f64> = grid_x.iter().map(|x| 0.9 * x.sin()).collect();
    let fit = Fit1d {
        train_x: &train_x,
        train_y: &train_y,
        grid_x: &grid_x,
        target_y: &target_y,
        predicted_y: &predicted_y,
        x_label: "x",
        y_label: "sin x",
    };
    fit_1d(&folder, "fit", &fit).unwrap();
    assert_eq!(png_size(&folder, "fit"), (960, 600));
    let svg = svg_text(&folder, "fit");
    for label in ["training points", "target", "network", "sin x"] {
        assert!(svg.contains(label), "no {label:?} in fit.svg");
    }

    let short = Fit1d { predicted_y: &predicted_y[1..], ..fit };
    let error = fit_1d(&folder, "fit", &short).unwrap_err();
    assert!(error.to_string().contains("fit.png: "), "{error}");
}

#[test]
fn predicted_vs_actual_names_the_target_on_both_axes() {
    let folder = scratch("pairs");
    let actual = [1200.0, 5000.0, 12000.0, 48000.0];
    let predicted = [1500.0, 4000.0, 13000.0, 45000.0];
    let pairs = PredictedVsActual {
        actual: &actual,
        predicted: &predicted,
        target_name: "charges",
        samples_name: "test split",
    };
    predicted_vs_actual(&folder, &pairs).unwrap();
    assert_eq!(png_size(&folder, "predicted_vs_actual"), (760, 720));
    let svg = svg_text(&folder, "predicted_vs_actual");
    for label in ["actual charges", "predicted charges", "y = x"] {
        assert!(svg.contains(label), "no {label:?} in predicted_vs_actual.svg");
    }
    let error = predicted_vs_actual(&folder, &PredictedVsActual { predicted: &predicted[..3], ..pairs }).unwrap_err();
    assert!(error.to_string().contains("predicted_vs_actual.png: 4 actual values but 3 predictions"), "{error}");
}

#[test]
fn a_ten_class_confusion_matrix_names_every_class_and_count() {
    let folder = scratch("confusion");
    let names: Vec<String> = (0..10).map(|digit| digit.to_string()).collect();
    let counts: Vec<Vec<usize>> = (0..10)
        .map(|actual| (0..10).map(|predicted| if actual == predicted { 900 + actual } else { actual }).collect())
        .collect();
    let matrix = ConfusionCounts { counts: &counts, class_names: &names, samples_name: "MNIST test set" };
    confusion_matrix(&folder, &matrix).unwrap();
    let (width, height) = png_size(&folder, "confusion_matrix");
    assert!(width >= 560 && height >= 560, "{width} × {height}");
    let svg = svg_text(&folder, "confusion_matrix");
    for label in ["actual", "predicted", "\n909\n</text>", "\n905\n</text>", "share of the actual class"] {
        assert!(svg.contains(label), "no {label:?} in confusion_matrix.svg");
    }

    let long_names: Vec<String> = ["setosa", "versicolor", "virginica"].map(String::from).to_vec();
    let counts = vec![vec![10, 0, 0], vec![0, 9, 1], vec![0, 2, 8]];
    let matrix = ConfusionCounts { counts: &counts, class_names: &long_names, samples_name: "test split" };
    confusion_matrix(&folder, &matrix).unwrap();
    let svg = svg_text(&folder, "confusion_matrix");
    assert!(long_names.iter().all(|name| svg.matches(name.as_str()).count() == 2), "each name on both axes");

    let error = confusion_matrix(&folder, &ConfusionCounts { counts: &counts[..2], ..matrix }).unwrap_err();
    assert!(error.to_string().contains("confusion_matrix.png: "), "{error}");
}

#[test]
fn a_decision_boundary_colours_the_plane_and_shows_the_points() {
    let folder = scratch("boundary");
    let grid = Grid { x_range: (-0.5, 1.5), y_range: (-0.5, 1.5), columns: 60, rows: 50 };
    let centres = grid_centres(&grid);
    assert_eq!(centres.len(), 3000);
    assert_eq!(centres[0], [-0.5 + 1.0 / 60.0, -0.5 + 1.0 / 50.0]);
    assert_eq!(centres[60][1], -0.5 + 3.0 / 50.0, "row by row from the bottom");
    // XOR's answer: class 1 where exactly one input is above ½.
    let outputs: Vec<f64> = centres.iter().map(|&[x, y]| if (x > 0.5) != (y > 0.5) { 0.9 } else { 0.1 }).collect();
    let names = ["0".to_owned(), "1".to_owned()];
    let boundary = DecisionBoundary {
        grid,
        outputs: &outputs,
        points_x: &[0.0, 0.0, 1.0, 1.0],
        points_y: &[0.0, 1.0, 0.0, 1.0],
        point_classes: &[0, 1, 1, 0],
        class_names: &names,
        x_label: "x1",
        y_label: "x2",
    };
    decision_boundary(&folder, &boundary).unwrap();
    assert_files(&folder, &["decision_boundary.png", "decision_boundary.svg"]);
    assert_eq!(png_size(&folder, "decision_boundary"), (900, 760));
    let svg = svg_text(&folder, "decision_boundary");
    for label in ["x1", "x2", "class 0", "class 1", "probability of class 1"] {
        assert!(svg.contains(label), "no {label:?} in decision_boundary.svg");
    }

    // Three classes, one probability each per cell.
    let three: Vec<f64> =
        centres.iter().flat_map(|&[x, _]| if x < 0.5 { [0.8, 0.1, 0.1] } else { [0.1, 0.3, 0.6] }).collect();
    let names = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
    let boundary = DecisionBoundary { outputs: &three, class_names: &names, point_classes: &[0, 1, 2, 2], ..boundary };
    decision_boundary(&folder, &boundary).unwrap();
    assert!(svg_text(&folder, "decision_boundary").contains("class c"));

    let error = decision_boundary(&folder, &DecisionBoundary { outputs: &three[1..], ..boundary }).unwrap_err();
    assert!(error.to_string().contains("decision_boundary.png: "), "{error}");
}

#[test]
fn a_folder_that_does_not_exist_is_an_error_naming_the_file() {
    let folder = Path::new("/nonexistent-neurone-folder");
    let curves = LearningCurves {
        train_loss: &[1.0, 0.5],
        validation_loss: None,
        metric: None,
        best_epoch: None,
        loss_name: "mse",
    };
    let error = learning_curves(folder, &curves).unwrap_err();
    assert!(error.to_string().starts_with("/nonexistent-neurone-folder/learning_curves."), "{error}");
}

#[test]
fn tick_labels_are_short() {
    use super::style::tick_label;
    assert_eq!(tick_label(-2.2e-16), "0");
    assert_eq!(tick_label(0.25), "0.25");
    assert_eq!(tick_label(0.30000000000000004), "0.3");
    assert_eq!(tick_label(1200.0), "1200");
    assert_eq!(tick_label(3e-5), "3e-5");
    assert_eq!(tick_label(0.001), "0.001");
}
