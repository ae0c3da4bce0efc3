//! `completions` and `man`: the documents `cli::docs` generates from the command-line
//! definition, written to stdout (or, for `man --dir`, one page per command into a
//! directory); and the profile names the completion scripts ask for.

use std::path::Path;

use crate::messages;
use crate::outcome::Outcome;

/// `taskwatch completions SHELL`: the script on stdout.
pub fn completions(script: &str) -> Outcome {
    messages::print(script)
}

/// `_TASKWATCH_COMPLETE=profiles taskwatch`: the profile names of the config file, one a line; nothing
/// when there is none or it cannot be read (a completion never prints an error).
pub fn profile_names() -> Outcome {
    let names = crate::profile::default_path(&|k| std::env::var(k).ok())
        .and_then(|path| crate::profile::ConfigFile::load(&path).ok().flatten())
        .map(|file| file.profile_names())
        .unwrap_or_default();
    let mut text = String::new();
    for name in names {
        // One name a line, and nothing a shell would take for more than a word.
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '\'' && c != '"')
        {
            text.push_str(&name);
            text.push('\n');
        }
    }
    messages::print(&text)
}

/// Writes each page into `dir`; the paths written.
fn write_all(dir: &Path, pages: Vec<(String, Vec<u8>)>) -> Result<Vec<std::path::PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (name, page) in pages {
        let path = dir.join(name);
        std::fs::write(&path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `taskwatch man`: the main page (the first of `pages`) on stdout, or with `--dir` every page
/// into a directory.
pub fn man(dir: Option<&Path>, pages: std::io::Result<Vec<(String, Vec<u8>)>>) -> Outcome {
    let pages = match pages {
        Ok(pages) => pages,
        Err(e) => {
            messages::error(&format!("cannot render the man page: {e}"));
            return Outcome::Internal;
        }
    };
    if let Some(dir) = dir {
        return match write_all(dir, pages) {
            Ok(written) => {
                messages::note(format!(
                    "wrote {} man pages to {}",
                    written.len(),
                    dir.display()
                ));
                Outcome::Finished
            }
            Err(e) => {
                messages::error(&e);
                Outcome::Error
            }
        };
    }
    let main = pages
        .first()
        .map(|(_, page)| page.as_slice())
        .unwrap_or_default();
    messages::print(&String::from_utf8_lossy(main))
}
