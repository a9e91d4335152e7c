//! A confusion matrix as a heat map: actual classes in rows, predicted classes in columns, each
//! cell's count written in it and coloured by its share of the row.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colour_bar::colour_bar;
use super::render::{DrawResult, Figure, PlotError, save};
use super::style::{self, FONT, GREY, blues, text_colour_on};

/// Counts of a classifier's answers.
#[derive(Clone, Copy, Debug)]
pub struct ConfusionCounts<'a> {
    /// `counts[actual][predicted]`, square, one row and column per class.
    pub counts: &'a [Vec<usize>],
    /// The class names, in the order of the rows and columns.
    pub class_names: &'a [String],
    /// Which samples were counted, for the title, e.g. `test split (30 samples)`.
    pub samples_name: &'a str,
}

/// Writes `confusion_matrix.png` and `confusion_matrix.svg` into `folder`.
///
/// A cell's colour is its share of the row (the fraction of that actual class predicted so),
/// so that a rare class's mistakes show as clearly as a common one's.
pub fn confusion_matrix(folder: &Path, matrix: &ConfusionCounts) -> Result<(), PlotError> {
    let classes = matrix.class_names.len();
    if classes == 0 || matrix.counts.len() != classes || matrix.counts.iter().any(|row| row.len() != classes) {
        let message = format!("a confusion matrix for {classes} classes must be {classes} × {classes}");
        return Err(PlotError::new(folder.join("confusion_matrix.png"), message));
    }
    save(folder, "confusion_matrix", matrix)
}

/// Pixel layout of the figure, from the number of classes and the longest class name.
struct Layout {
    cell: i32,
    left: i32,
    top: i32,
    /// True when the column names are written vertically because they are wider than a cell.
    vertical_columns: bool,
    column_labels_height: i32,
}

const TITLE_HEIGHT: i32 = 56;
const AXIS_TITLE: i32 = 40;
const COLOUR_BAR_SPACE: i32 = 160;

impl ConfusionCounts<'_> {
    fn layout(&self) -> Layout {
        let classes = self.class_names.len() as i32;
        let cell = (600 / classes).clamp(56, 150);
        // DejaVu Sans averages about 0.6 em per character.
        let longest = self.class_names.iter().map(|name| name.chars().count()).max().unwrap_or(1) as f64;
        let label_width = (longest * style::TICK_SIZE * 0.62).ceil() as i32 + 14;
        let vertical_columns = label_width > cell - 8;
        Layout {
            cell,
            left: AXIS_TITLE + label_width + 8,
            top: TITLE_HEIGHT,
            vertical_columns,
            column_labels_height: if vertical_columns { label_width + 8 } else { 34 },
        }
    }
}

impl Figure for ConfusionCounts<'_> {
    fn size(&self) -> (u32, u32) {
        let layout = self.layout();
        let side = layout.cell * self.class_names.len() as i32;
        let width = layout.left + side + COLOUR_BAR_SPACE;
        let height = layout.top + side + layout.column_labels_height + AXIS_TITLE + 16;
        (width.max(560) as u32, height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let Layout { cell, left, top, vertical_columns, column_labels_height } = self.layout();
        let classes = self.class_names.len() as i32;
        let side = cell * classes;
        let centred = Pos::new(HPos::Center, VPos::Center);
        let title = format!("confusion matrix, {}", self.samples_name);
        let title_style = TextStyle::from((FONT, style::TITLE_SIZE).into_font()).pos(centred);
        root.draw(&Text::new(title, ((left + side / 2).max(280), TITLE_HEIGHT / 2), title_style))?;

        let count_size = (f64::from(cell) * 0.34).min(28.0);
        for (actual, row) in self.counts.iter().enumerate() {
            let total = row.iter().sum::<usize>().max(1) as f64;
            for (predicted, &count) in row.iter().enumerate() {
                let (x, y) = (left + predicted as i32 * cell, top + actual as i32 * cell);
                let colour = blues(count as f64 / total);
                root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], colour.filled()))?;
                let text_colour = text_colour_on(colour);
                let count_style = TextStyle::from((FONT, count_size).into_font()).color(&text_colour);
                root.draw(&Text::new(count.to_string(), (x + cell / 2, y + cell / 2), count_style.pos(centred)))?;
            }
        }
        // Thin white lines between cells and a frame around the matrix.
        for k in 1..classes {
            let at = k * cell;
            root.draw(&PathElement::new(vec![(left + at, top), (left + at, top + side)], WHITE.stroke_width(1)))?;
            root.draw(&PathElement::new(vec![(left, top + at), (left + side, top + at)], WHITE.stroke_width(1)))?;
        }
        root.draw(&Rectangle::new([(left, top), (left + side, top + side)], GREY.stroke_width(1)))?;

        let tick_font = (FONT, style::TICK_SIZE).into_font();
        for (index, name) in self.class_names.iter().enumerate() {
            let middle = index as i32 * cell + cell / 2;
            let row_style = TextStyle::from(tick_font.clone()).pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(name.as_str(), (left - 10, top + middle), row_style))?;
            let column_position = (left + middle, top + side + 8);
            let column_style = if vertical_columns {
                TextStyle::from(tick_font.clone().transform(FontTransform::Rotate270))
                    .pos(Pos::new(HPos::Right, VPos::Center))
            } else {
                TextStyle::from(tick_font.clone()).pos(Pos::new(HPos::Center, VPos::Top))
            };
            root.draw(&Text::new(name.as_str(), column_position, column_style))?;
        }
        let axis_font = (FONT, style::LABEL_SIZE).into_font();
        let predicted_at = (left + side / 2, top + side + column_labels_height + AXIS_TITLE / 2);
        root.draw(&Text::new("predicted", predicted_at, TextStyle::from(axis_font.clone()).pos(centred)))?;
        let actual_style = TextStyle::from(axis_font.transform(FontTransform::Rotate270)).pos(centred);
        root.draw(&Text::new("actual", (AXIS_TITLE / 2 + 4, top + side / 2), actual_style))?;

        let ticks = [(0.0, "0"), (0.5, "0.5"), (1.0, "1")];
        colour_bar(root, (left + side + 36, top), side, blues, &ticks, "share of the actual class")
    }
}
