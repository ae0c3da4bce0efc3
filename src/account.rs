//! `config`, `login` and `logout`: the resolved settings, and the token kept in a profile.

use std::io::{self, BufRead, Write};
use std::path::Path;

use crate::api::Client;
use crate::cli::LoginArgs;
use crate::config::Polling;
use crate::messages;
use crate::outcome::Outcome;
use crate::profile;
use crate::render;
use crate::sanitize;
use crate::secret::{self, Secret};
use crate::session::Session;

/// `taskwatch config`: one line per setting, with where it came from.
pub fn show(session: &Session, given: &dyn Fn(&str) -> Option<String>) -> Outcome {
    let mut settings = session.resolved.shown.clone();
    settings.extend(Polling::shown(session.profile.as_ref()));
    let profile_line = match (&session.profile, given("profile")) {
        (Some(p), Some(origin)) => format!("{} [{origin}]", p.name),
        (Some(p), None) => format!("{} [default_profile]", p.name),
        (None, _) => "none".to_string(),
    };
    let file = match session.config_path.as_deref() {
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
    messages::print(&out)
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
) -> Outcome {
    let Some(path) = config_path else {
        return messages::usage("no place for the config file: set HOME or TASKWATCH_CONFIG");
    };
    let password = match password(args) {
        Ok(p) if !p.is_empty() => Secret::new(p),
        Ok(_) => return messages::usage("the password is empty"),
        Err(e) => return messages::usage(&format!("cannot read the password: {e}")),
    };
    let fetched = client.login(&args.email, password.expose()).await;
    let token = match fetched.result {
        Ok(token) => token,
        Err(e) => {
            // The server's words may echo the password: they are scrubbed of it.
            let text = secret::scrub(&e.to_string(), &[&password]);
            messages::error(&format!("login failed: {}", sanitize::line(&text)));
            if let Some(hint) = render::markers::hint(&e) {
                messages::hint(hint);
            }
            return Outcome::from(&e);
        }
    };
    let mut changes = vec![("token", Some(token.as_str()))];
    if let Some(url) = base_url {
        changes.push(("base_url", Some(url)));
    }
    if let Err(e) = profile::edit(path, profile_name, &changes) {
        messages::error(&e.0);
        return Outcome::Error;
    }
    let _ = writeln!(
        io::stderr(),
        "taskwatch: logged in as {}; the token is stored in profile `{profile_name}` of {} (mode 600)",
        sanitize::line(&args.email),
        path.display()
    );
    Outcome::Finished
}

/// `taskwatch logout`: removes the token from the profile.
pub fn logout(config_path: Option<&Path>, profile_name: &str) -> Outcome {
    let Some(path) = config_path.filter(|p| p.exists()) else {
        return messages::usage("there is no config file, so no stored token");
    };
    match profile::edit(path, profile_name, &[("token", None)]) {
        Ok(()) => {
            let _ = writeln!(
                io::stderr(),
                "taskwatch: removed the token of profile `{profile_name}` from {}",
                path.display()
            );
            Outcome::Finished
        }
        Err(e) => {
            messages::error(&e.0);
            Outcome::Error
        }
    }
}
