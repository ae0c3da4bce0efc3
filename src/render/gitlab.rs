//! GitLab CI: collapsible sections around each task's lines. A section marker is
//! `ESC[0Ksection_start:TIME:NAME[collapsed=true]\rESC[0KHEADER`; server text can never
//! write one, because `sanitize` shows ESC as `\e`.

/// A section name GitLab accepts (letters, digits, `_`, `.`, `-`).
pub fn section_name(task: usize, opened: u32) -> String {
    format!("taskwatch_{task}_{opened}")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Opens a section; `header` is already safe to print.
pub fn start(name: &str, header: &str, collapsed: bool) -> String {
    let options = if collapsed { "[collapsed=true]" } else { "" };
    format!(
        "\x1b[0Ksection_start:{}:{name}{options}\r\x1b[0K{header}\n",
        now()
    )
}

pub fn end(name: &str) -> String {
    format!("\x1b[0Ksection_end:{}:{name}\r\x1b[0K\n", now())
}
