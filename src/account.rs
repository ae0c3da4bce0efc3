//! `config`, `login` and `logout`: the resolved settings, and the token kept in a profile.

use std::io::{self, BufRead, Write};
use std::path::Path;

use crate::api::Client;
use crate::cli::LoginArgs;
use crate::config::Shown;
use crate::outcome::Outcome;
use crate::profile;
use crate::render::sanitize;

/// `taskwatch config`: one line per setting, with where it came from.
pub fn show(config_path: Option<&Path>, profile_line: &str, settings: &[Shown]) -> u8 {
    let file = match config_path {
        Some(p) if p.exists() => p.display().to_string(),
        Some(p) => format!("{} (not found)", p.display()),
        None => "none (no HOME or TASKWATCH_CONFIG)".into(),
    };
    let mut out = format!(
        "{:<12} {file}\n{:<12} {profile_line}\n",
        "config file", "profile"
    );
    for s in settings {
        out.push_str(&format!(
            "{:<12} {}  [{}]\n",
            s.key,
            sanitize::line(&s.value),
            sanitize::line(&s.origin)
        ));
    }
    let _ = io::stdout().lock().write_all(out.as_bytes());
    0
}

/// The password: from standard input with `--password-stdin`, else asked for at the terminal
/// without echo.
fn password(args: &LoginArgs) -> io::Result<String> {
    if args.password_stdin {
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    rpassword::prompt_password(format!("Password for {}: ", args.email))
}

/// `taskwatch login`: exchanges email and password for a token and stores it in the profile.
pub async fn login(
    args: &LoginArgs,
    client: &Client,
    config_path: Option<&Path>,
    profile_name: &str,
    base_url: Option<&str>,
) -> u8 {
    let Some(path) = config_path else {
        crate::error("no place for the config file: set HOME or TASKWATCH_CONFIG");
        return crate::outcome::USAGE;
    };
    let password = match password(args) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => {
            crate::error("the password is empty");
            return crate::outcome::USAGE;
        }
        Err(e) => {
            crate::error(&format!("cannot read the password: {e}"));
            return crate::outcome::USAGE;
        }
    };
    let fetched = client.login(&args.email, &password).await;
    let token = match fetched.result {
        Ok(token) => token,
        Err(e) => {
            crate::error(&format!("login failed: {e}"));
            return if e.is_auth() {
                Outcome::AuthError.exit_code()
            } else {
                Outcome::ApiError.exit_code()
            };
        }
    };
    let mut changes = vec![("token", Some(token.as_str()))];
    if let Some(url) = base_url {
        changes.push(("base_url", Some(url)));
    }
    if let Err(e) = profile::edit(path, profile_name, &changes) {
        crate::error(&e.0);
        return 1;
    }
    let _ = writeln!(
        io::stderr(),
        "taskwatch: logged in as {}; the token is stored in profile `{profile_name}` of {} (mode 600)",
        sanitize::line(&args.email),
        path.display()
    );
    0
}

/// `taskwatch logout`: removes the token from the profile.
pub fn logout(config_path: Option<&Path>, profile_name: &str) -> u8 {
    let Some(path) = config_path.filter(|p| p.exists()) else {
        crate::error("there is no config file, so no stored token");
        return crate::outcome::USAGE;
    };
    match profile::edit(path, profile_name, &[("token", None)]) {
        Ok(()) => {
            let _ = writeln!(
                io::stderr(),
                "taskwatch: removed the token of profile `{profile_name}` from {}",
                path.display()
            );
            0
        }
        Err(e) => {
            crate::error(&e.0);
            1
        }
    }
}
