//! The closed world the report is typeset in: our template, the report data handed over through
//! `sys.inputs`, the chart images we generated and four embedded fonts. The compiler can read
//! nothing else — no disk, no network, no packages — and "today" is the date the caller passed in.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The report layout, compiled into the binary so a report never depends on files at run time.
const TEMPLATE: &str = include_str!("../../typst/report.typ");
/// Where the template lives in the virtual file system; also the name shown in diagnostics.
pub(crate) const TEMPLATE_PATH: &str = "/report.typ";

/// Libertinus Serif (text, in three faces) and DejaVu Sans Mono (ids), copied from the
/// typst-assets 0.15.1 crate with their licences (see typst/fonts/).
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../../typst/fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../../typst/fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../../typst/fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../../typst/fonts/DejaVuSansMono.ttf"),
];

/// Parsed once per process: font parsing and the font book do not depend on the report.
struct FontSet {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<FontSet> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    FontSet {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

pub(crate) struct ReportWorld {
    library: LazyHash<Library>,
    main: Source,
    /// Virtual files the template may read (the charts), by absolute virtual path.
    files: Vec<(String, Bytes)>,
    today: Datetime,
}

impl ReportWorld {
    /// `inputs` becomes `sys.inputs`; each `(path, bytes)` in `files` is readable by the template
    /// at that absolute virtual path (e.g. `/charts/practices.svg`).
    pub(crate) fn new(
        inputs: Dict,
        files: Vec<(String, Vec<u8>)>,
        today: Datetime,
    ) -> Result<Self, String> {
        let path = VirtualPath::new(TEMPLATE_PATH).map_err(|e| e.to_string())?;
        let main_id = RootedPath::new(VirtualRoot::Project, path).intern();
        Ok(ReportWorld {
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            main: Source::new(main_id, TEMPLATE.to_string()),
            files: files
                .into_iter()
                .map(|(path, bytes)| (path, Bytes::new(bytes)))
                .collect(),
            today,
        })
    }

    /// The template's text, for locating diagnostics.
    pub(crate) fn main_source(&self) -> &Source {
        &self.main
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(TEMPLATE));
        }
        let wanted = id.vpath().get_with_slash();
        let is_ours = matches!(id.root(), VirtualRoot::Project);
        self.files
            .iter()
            .find(|(path, _)| is_ours && path == wanted)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::NotFound(wanted.into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The report's date is an input, so the same data always gives the same PDF.
        Some(self.today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_id(path: &str) -> FileId {
        let path = VirtualPath::new(path).expect("a valid virtual path");
        RootedPath::new(VirtualRoot::Project, path).intern()
    }

    #[test]
    fn only_the_template_and_the_files_handed_in_can_be_read() {
        let world = ReportWorld::new(
            Dict::new(),
            vec![("/charts/a.svg".to_string(), b"<svg/>".to_vec())],
            Datetime::from_ymd(2026, 11, 28).expect("a valid date"),
        )
        .expect("the world is built");
        assert_eq!(
            world
                .file(file_id("/charts/a.svg"))
                .ok()
                .map(|b| b.to_vec()),
            Some(b"<svg/>".to_vec())
        );
        assert!(world.file(world.main()).is_ok());
        for outside in ["/etc/passwd", "/charts/b.svg", "/charts"] {
            assert!(
                world.file(file_id(outside)).is_err(),
                "{outside} is readable"
            );
        }
        assert!(world.source(file_id("/charts/a.svg")).is_err());
        assert_eq!(world.today(None), Datetime::from_ymd(2026, 11, 28));
    }
}
