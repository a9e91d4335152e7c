//! Draws several `neurone train` runs on one figure, for the guide's experiments
//! (`docs/make-figures.sh`), and prints a summary line per run.
//!
//!     cargo run --release -p neurone-cli --example compare_runs -- docs/figures learning_rates \
//!         --title "SGD on the sine: three learning rates" \
//!         --panel "validation loss per epoch" --x epoch --y val_loss --log \
//!         --run "η = 0.001=runs/lr-small" --run "η = 0.05=runs/lr-right" --note "η = 5: diverged"
//!
//! A figure is one or more panels side by side; the `--run`s and `--note`s after a `--panel`
//! belong to it. `--y` names one `history.csv` column, or two (`val_loss,train_loss`): the
//! first drawn solid, the second dashed in the same colour. `--x` is `epoch` or
//! `elapsed_seconds`. The look (embedded font, colours, PNG and SVG written atomically) is the
//! one of the plots `neurone train` draws: their modules are compiled in here as they are.

use std::error::Error;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

#[allow(dead_code)] // the figures of a run use more of the shared look than this one does
#[path = "../src/plots"]
mod plots {
    pub mod line;
    pub mod render;
    pub mod style;
}

use plots::line::segments;
use plots::render::{DrawResult, Figure, save};
use plots::style::{self, DARK, FONT, GREY, class_colour, finite_range, padded, tick_label};

const USAGE: &str = "usage: compare_runs OUT_FOLDER NAME [--title TEXT] PANEL...
PANEL: --panel TITLE [--x epoch|elapsed_seconds] [--y COLUMN[,DASHED_COLUMN]] [--log]
       [--smooth EPOCHS] [--ymin Y] [--ymax Y] [--ylabel TEXT]
       [--legend upper-right|upper-left|lower-right|lower-left]
       (--run LABEL=RUN_FOLDER | --note TEXT)...";

/// One run's `history.csv`, column by column.
struct History {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl History {
    fn read(folder: &Path) -> Result<Self, Box<dyn Error>> {
        let path = folder.join("history.csv");
        let text = std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        let mut lines = text.lines();
        let names: Vec<String> = lines.next().unwrap_or_default().split(',').map(str::to_owned).collect();
        let mut columns = vec![Vec::new(); names.len()];
        for line in lines.filter(|line| !line.is_empty()) {
            // An empty cell is a value that was not measured.
            for (column, cell) in columns.iter_mut().zip(line.split(',')) {
                column.push(cell.parse().unwrap_or(f64::NAN));
            }
        }
        Ok(History { names, columns })
    }

    fn column(&self, name: &str) -> Option<&[f64]> {
        self.names.iter().position(|n| n == name).map(|index| self.columns[index].as_slice())
    }
}

struct Run {
    label: String,
    folder: PathBuf,
    history: History,
}

struct Panel {
    title: String,
    x: String,
    y: Vec<String>,
    y_label: Option<String>,
    log: bool,
    /// Bounds of the y axis that widen (never narrow) the data's range, e.g. to make room for
    /// the legend.
    y_min: Option<f64>,
    y_max: Option<f64>,
    /// Draw the mean of the last this many values rather than each value.
    smooth: usize,
    legend: SeriesLabelPosition,
    runs: Vec<Run>,
    notes: Vec<String>,
}

struct Comparison {
    title: String,
    panels: Vec<Panel>,
}

const PANEL_WIDTH: u32 = 720;
const PANEL_HEIGHT: u32 = 560;

/// Readable names for the columns of `history.csv`.
fn describe(column: &str) -> String {
    match column {
        "epoch" => "epoch".into(),
        "elapsed_seconds" => "seconds since the start".into(),
        "train_loss" => "training loss".into(),
        "val_loss" => "validation loss".into(),
        "learning_rate" => "learning rate".into(),
        other => match other.strip_prefix("val_") {
            Some(metric) => format!("validation {metric}"),
            None => other.replace('_', " "),
        },
    }
}

impl Figure for Comparison {
    fn size(&self) -> (u32, u32) {
        (PANEL_WIDTH * self.panels.len() as u32, PANEL_HEIGHT + 50)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let root = root.margin(10, 0, 0, 0).titled(&self.title, (FONT, style::TITLE_SIZE))?;
        let areas = root.split_evenly((1, self.panels.len()));
        for (panel, area) in self.panels.iter().zip(&areas) {
            panel.draw(area)?;
        }
        Ok(())
    }
}

impl Panel {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let area = area.titled(&self.title, (FONT, style::LABEL_SIZE))?;
        let xs = self.runs.iter().filter_map(|run| run.history.column(&self.x)).flatten().copied();
        let (x_low, x_high) = finite_range(xs).unwrap_or((0.0, 1.0));
        let x_range = if self.x == "epoch" { x_low.min(1.0)..x_high.max(x_low + 1.0) } else { 0.0..x_high * 1.02 };
        let ys: Vec<f64> = self
            .runs
            .iter()
            .flat_map(|run| self.y.iter().filter_map(|column| run.history.column(column)))
            .flat_map(|values| moving_mean(values, self.smooth))
            .collect();
        let (low, high) = finite_range(ys.iter().copied()).unwrap_or((0.0, 1.0));
        let (low, high) = (self.y_min.map_or(low, |y| y.min(low)), self.y_max.map_or(high, |y| y.max(high)));
        // A log axis over less than a decade and a half has too few ticks to read.
        if self.log && low > 0.0 && high / low > LOG_SCALE_RATIO {
            self.chart(&area, x_range, ((low / 1.5)..(high * 1.5)).log_scale())
        } else {
            let (low, high) = padded((low, high), 0.05);
            self.chart(&area, x_range, low..high)
        }
    }

    fn chart<DB, Y>(&self, area: &DrawingArea<DB, Shift>, x_range: std::ops::Range<f64>, y_range: Y) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(area)
            .margin(14)
            .margin_right(28)
            .x_label_area_size(60)
            .y_label_area_size(92)
            .build_cartesian_2d(x_range, y_range)?;
        let mut y_label = self.y_label.clone().unwrap_or_else(|| match self.y.as_slice() {
            [solid, dashed] => format!("{} (solid), {} (dashed)", describe(solid), describe(dashed)),
            columns => columns.iter().map(|column| describe(column)).collect::<Vec<_>>().join(", "),
        });
        if self.smooth > 1 {
            y_label.push_str(&format!(", mean of {} epochs", self.smooth));
        }
        chart
            .configure_mesh()
            .x_desc(describe(&self.x))
            .y_desc(y_label)
            .x_label_formatter(&|x| {
                // Whole epochs only: a short run's axis has ticks at 1.5 that name no epoch.
                if self.x == "epoch" && x.fract() != 0.0 { String::new() } else { tick_label(*x) }
            })
            .y_label_formatter(&|y| tick_label(*y))
            .label_style((FONT, style::TICK_SIZE))
            .axis_desc_style((FONT, style::TICK_SIZE + 1.0))
            .light_line_style(WHITE)
            .draw()?;
        for (index, run) in self.runs.iter().enumerate() {
            let colour = class_colour(index);
            let Some(x) = run.history.column(&self.x) else { continue };
            for (which, column) in self.y.iter().enumerate() {
                let Some(y) = run.history.column(column) else { continue };
                let y = moving_mean(y, self.smooth);
                let points: Vec<(f64, f64)> =
                    x.iter().zip(&y).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(&x, &y)| (x, y)).collect();
                if which == 0 {
                    // Thinner lines where a long, noisy curve would fill the panel.
                    let line = colour.stroke_width(if points.len() > 200 { 2 } else { 3 });
                    chart
                        .draw_series(segments(chart.as_coord_spec(), points, line))?
                        .label(run.label.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], line));
                } else {
                    chart.draw_series(DashedLineSeries::new(points, 8, 5, colour.stroke_width(2)))?;
                }
            }
        }
        for note in &self.notes {
            // A legend line without a curve: a run that has none to draw, e.g. one that diverged.
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(format!("× {note}"))
                .legend(|(x, y)| EmptyElement::at((x, y)));
        }
        chart
            .configure_series_labels()
            .position(self.legend.clone())
            .label_font((FONT, style::LEGEND_SIZE).into_font().color(&DARK))
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .margin(10)
            .draw()?;
        Ok(())
    }
}

/// Drawn on a log axis only when the largest value is more than this times the smallest.
const LOG_SCALE_RATIO: f64 = 30.0;

/// Each value replaced by the mean of the last `window` finite values up to it (fewer at the
/// start): SGD's epoch-to-epoch noise averaged out, so that curves close together stay apart.
fn moving_mean(values: &[f64], window: usize) -> Vec<f64> {
    (0..values.len())
        .map(|i| {
            let recent: Vec<f64> =
                values[i.saturating_sub(window - 1)..=i].iter().copied().filter(|v| v.is_finite()).collect();
            if recent.is_empty() { f64::NAN } else { recent.iter().sum::<f64>() / recent.len() as f64 }
        })
        .collect()
}

/// The run's final numbers, for the guide: last losses, best validation loss, last metrics,
/// time, and the test metrics of `metrics.json`.
fn summary(run: &Run) -> String {
    let history = &run.history;
    let last = |column: &str| history.column(column).and_then(|values| values.last().copied());
    let mut parts = vec![format!("epochs {}", history.column("epoch").map_or(0, <[f64]>::len))];
    if let Some(loss) = last("train_loss") {
        parts.push(format!("train_loss {loss:.4e}"));
    }
    if let Some(validation) = history.column("val_loss").filter(|values| values.iter().any(|v| v.is_finite())) {
        let (best_index, best) = validation
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .fold((0, f64::INFINITY), |best, (i, &v)| if v < best.1 { (i, v) } else { best });
        parts.push(format!(
            "val_loss {:.4e} (lowest {best:.4e} at epoch {})",
            validation.last().unwrap(),
            best_index + 1
        ));
    }
    for name in history.names.iter().filter(|name| name.starts_with("val_") && *name != "val_loss") {
        if let Some(value) = last(name) {
            parts.push(format!("{name} {value:.4}"));
        }
    }
    if let Some(seconds) = last("elapsed_seconds") {
        parts.push(format!("{seconds:.2}s"));
    }
    let metrics = std::fs::read_to_string(run.folder.join("metrics.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    if let Some(metrics) = metrics {
        let test: Vec<String> = ["accuracy", "log_loss", "r2", "rmse", "mae"]
            .iter()
            .filter_map(|key| metrics.get(key).and_then(serde_json::Value::as_f64).map(|v| format!("{key} {v:.4}")))
            .collect();
        parts.push(format!("| test: {}", test.join(" ")));
        if metrics.get("stopped_early").and_then(serde_json::Value::as_bool) == Some(true) {
            let best = metrics.get("best_epoch").and_then(serde_json::Value::as_u64).unwrap_or_default();
            parts.push(format!("(stopped early, weights of epoch {best})"));
        }
    }
    format!("  {:<24} {}", run.label, parts.join("  "))
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<(PathBuf, String, Comparison), Box<dyn Error>> {
    let (Some(folder), Some(name)) = (args.next(), args.next()) else { return Err(USAGE.into()) };
    let mut comparison = Comparison { title: name.clone(), panels: Vec::new() };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        let panel = comparison.panels.last_mut();
        match (flag.as_str(), panel) {
            ("--title", _) => comparison.title = value()?,
            ("--panel", _) => comparison.panels.push(Panel {
                title: value()?,
                x: "epoch".into(),
                y: vec!["val_loss".into()],
                y_label: None,
                log: false,
                y_min: None,
                y_max: None,
                smooth: 1,
                legend: SeriesLabelPosition::UpperRight,
                runs: Vec::new(),
                notes: Vec::new(),
            }),
            ("--x", Some(panel)) => panel.x = value()?,
            ("--y", Some(panel)) => panel.y = value()?.split(',').map(str::to_owned).collect(),
            ("--ylabel", Some(panel)) => panel.y_label = Some(value()?),
            ("--log", Some(panel)) => panel.log = true,
            ("--ymin", Some(panel)) => panel.y_min = Some(value()?.parse().map_err(|_| "--ymin needs a number")?),
            ("--ymax", Some(panel)) => panel.y_max = Some(value()?.parse().map_err(|_| "--ymax needs a number")?),
            ("--smooth", Some(panel)) => {
                panel.smooth = value()?.parse().map_err(|_| "--smooth needs a number of epochs")?;
                panel.smooth = panel.smooth.max(1);
            }
            ("--legend", Some(panel)) => {
                panel.legend = match value()?.as_str() {
                    "upper-right" => SeriesLabelPosition::UpperRight,
                    "upper-left" => SeriesLabelPosition::UpperLeft,
                    "lower-right" => SeriesLabelPosition::LowerRight,
                    "lower-left" => SeriesLabelPosition::LowerLeft,
                    other => {
                        return Err(
                            format!("--legend {other}: upper-right, upper-left, lower-right or lower-left").into()
                        );
                    }
                }
            }
            ("--note", Some(panel)) => panel.notes.push(value()?),
            ("--run", Some(panel)) => {
                let spec = value()?;
                let (label, folder) = spec.rsplit_once('=').ok_or_else(|| format!("--run {spec}: not LABEL=FOLDER"))?;
                let folder = PathBuf::from(folder);
                let history = History::read(&folder)?;
                for column in panel.y.iter().chain([&panel.x]) {
                    if history.column(column).is_none() {
                        return Err(format!("{}: no column {column} in history.csv", folder.display()).into());
                    }
                }
                panel.runs.push(Run { label: label.to_owned(), folder, history });
            }
            (flag, _) => return Err(format!("unexpected {flag} (a --panel comes first)\n{USAGE}").into()),
        }
    }
    if comparison.panels.is_empty() {
        return Err(USAGE.into());
    }
    Ok((PathBuf::from(folder), name, comparison))
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let (folder, name, comparison) = parse(std::env::args().skip(1))?;
    std::fs::create_dir_all(&folder)?;
    save(&folder, &name, &comparison)?;
    println!("{}: {}", folder.join(format!("{name}.png")).display(), comparison.title);
    // Each run once, though several panels may draw it.
    let mut printed: Vec<&Path> = Vec::new();
    for panel in &comparison.panels {
        for run in &panel.runs {
            if !printed.contains(&run.folder.as_path()) {
                printed.push(&run.folder);
                println!("{}", summary(run));
            }
        }
        panel.notes.iter().for_each(|note| println!("  {note}"));
    }
    Ok(())
}
