//! What decoding a catalog's sources yields: every entry with its origin, not yet checked as a
//! whole. `load` fills it and hands it to `validate`; neither needs the other's internals.

use crate::decode::Crosswalks;
use crate::diagnostics::{Located, Origin};
use crate::model::*;
use crate::source::{SourceFile, SourceKind};

/// Everything decoded from a catalog's sources, not yet checked as a whole.
pub(crate) struct Parts {
    pub edition: Option<Edition>,
    pub threats: Vec<Located<Threat>>,
    pub practices: Vec<Located<Practice>>,
    pub sub_practices: Vec<Located<SubPractice>>,
    pub crosswalks: Crosswalks,
    /// Where the list of threats, and of practices, is written (for "threat 4 is missing").
    pub threats_at: Origin,
    pub practices_at: Origin,
    /// The JSON layout states each sub-practice's derived ids; they must equal the derivation.
    pub derived_ids_stated: bool,
}

impl Parts {
    pub fn empty(files: &[SourceFile]) -> Parts {
        let file_of = |kind: SourceKind, fallback: &str| {
            files
                .iter()
                .find(|f| f.kind == kind)
                .map_or(fallback.to_string(), |f| f.name.clone())
        };
        let (threats_at, practices_at) = match files.iter().find(|f| f.kind == SourceKind::Json) {
            Some(json) => (
                Origin {
                    file: json.name.as_str().into(),
                    path: "threats".into(),
                },
                Origin {
                    file: json.name.as_str().into(),
                    path: "practices".into(),
                },
            ),
            None => (
                Origin {
                    file: file_of(SourceKind::Threats, "threats.toml").into(),
                    path: "threats".into(),
                },
                Origin {
                    file: practices_dir_name(files).into(),
                    path: String::new(),
                },
            ),
        };
        Parts {
            edition: None,
            threats: Vec::new(),
            practices: Vec::new(),
            sub_practices: Vec::new(),
            crosswalks: Crosswalks::default(),
            threats_at,
            practices_at,
            derived_ids_stated: false,
        }
    }
}

/// The practices folder, named as the practice files are.
fn practices_dir_name(files: &[SourceFile]) -> String {
    files
        .iter()
        .find(|f| f.kind == SourceKind::Practice)
        .and_then(|f| {
            f.name
                .rsplit_once(['/', '\\'])
                .map(|(dir, _)| format!("{dir}/"))
        })
        .unwrap_or_else(|| "practices/".to_string())
}
