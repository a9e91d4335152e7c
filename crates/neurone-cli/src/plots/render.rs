//! Writing one figure as `NAME.png` and `NAME.svg`, each atomically.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend, WHITE};

use super::style::register_embedded_font;

/// What a figure's drawing code returns: any plotters error, boxed.
pub type DrawResult = Result<(), Box<dyn Error>>;

/// A figure that can draw itself on any plotters backend, PNG or SVG alike.
pub trait Figure {
    /// Width and height in pixels (the SVG's user units).
    fn size(&self) -> (u32, u32);

    /// Draws the whole figure on `root`, already filled white.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// A plot that could not be drawn or written, and the file it concerns.
#[derive(Debug)]
pub struct PlotError {
    /// The file that was being written.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl Error for PlotError {}

impl PlotError {
    pub(crate) fn new(path: PathBuf, message: impl fmt::Display) -> Self {
        PlotError { path, message: message.to_string() }
    }
}

/// Writes `folder/NAME.svg` then `folder/NAME.png`. Each goes to a temporary file beside its
/// final name first and is renamed over it once complete, so that no reader ever sees half a
/// picture.
pub fn save(folder: &Path, name: &str, figure: &impl Figure) -> Result<(), PlotError> {
    let svg_path = folder.join(format!("{name}.svg"));
    register_embedded_font().map_err(|message| PlotError::new(svg_path.clone(), message))?;
    save_svg(&svg_path, figure)?;
    save_png(&folder.join(format!("{name}.png")), figure)
}

fn save_svg(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, figure.size()).into_drawing_area();
        paint(&root, figure).map_err(|error| PlotError::new(path.to_path_buf(), error))?;
    }
    neurone::io::write_atomic(path, svg.as_bytes()).map_err(|error| PlotError::new(path.to_path_buf(), error))
}

/// The PNG encoder behind plotters writes to a path, so the picture is encoded into a temporary
/// `.png` file beside `path` (the extension picks the format) and then renamed.
fn save_png(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let file_name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp.png", std::process::id()));
    let result = (|| -> DrawResult {
        let root = BitMapBackend::new(&temporary, figure.size()).into_drawing_area();
        paint(&root, figure)?;
        drop(root);
        std::fs::File::open(&temporary)?.sync_all()?;
        std::fs::rename(&temporary, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(|error| PlotError::new(path.to_path_buf(), error))
}

/// Fills the background, draws the figure and flushes the backend, reporting every error
/// (dropping a backend unflushed would swallow them).
fn paint<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, figure: &impl Figure) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    figure.draw(root)?;
    root.present()?;
    Ok(())
}
