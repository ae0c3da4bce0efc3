//! `login` and `logout`: the token kept in a profile.

use std::io::{self, BufRead, IsTerminal};
use std::path::Path;

use crate::api::{ApiError, Client};
use crate::commands::session::Session;
use crate::config::{Given, LoginRequest, OutputFlags};
use crate::messages;
use crate::outcome::Outcome;
use crate::profile::{self, TokenRemoval};
use crate::render;
use crate::sanitize;
use crate::secret::{Scrubber, Secret};

/// The password: from standard input with `--password-stdin`, else asked for at the terminal
/// without echo.
fn password(args: &LoginRequest) -> io::Result<String> {
    if args.password_stdin {
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    rpassword::prompt_password(format!("Password for {}: ", args.email))
}

/// `taskwatch login`: exchanges email and password for a token and stores it in the profile.
pub async fn login(
    args: &LoginRequest,
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
        // No terminal to ask at (CI, a pipe): rpassword's "No such device or address" says
        // nothing useful.
        Err(e) if !args.password_stdin && !std::io::stdin().is_terminal() => {
            return messages::usage(&format!(
                "there is no terminal to ask the password at ({e}): pass it on standard input \
                 with --password-stdin (printf '%s' \"$PASSWORD\" | taskwatch login --email {} \
                 --password-stdin)",
                sanitize::line(&args.email)
            ))
        }
        Err(e) => return messages::usage(&format!("cannot read the password: {e}")),
    };
    let fetched = match crate::signals::or_interrupted(async {
        Ok(client.login(&args.email, password.expose()).await)
    })
    .await
    {
        Ok(fetched) => fetched,
        Err(interrupted) => return interrupted,
    };
    let token = match fetched.result {
        Ok(token) => token,
        Err(e) => {
            // The server's words may echo the password: they are scrubbed of it.
            let text = Scrubber::new([&password]).clean(&e.to_string());
            messages::error(&format!("login failed: {text}"));
            let hint = match e {
                ApiError::Auth { .. } => Some(render::markers::LOGIN_REJECTED.to_string()),
                _ => render::markers::first_hint(&e),
            };
            if let Some(hint) = hint {
                messages::hint(&hint);
            }
            return Outcome::from(&e);
        }
    };
    if let Err(why) = storable(&token) {
        messages::error(&format!(
            "the server's token cannot be stored: {why}; {} was left as it was",
            path.display()
        ));
        return Outcome::Error;
    }
    let mut changes = vec![("token", Some(token.as_str()))];
    if let Some(url) = base_url {
        changes.push(("base_url", Some(url)));
    }
    if let Err(e) = profile::edit(path, profile_name, &changes) {
        messages::error(&e.0);
        return Outcome::Error;
    }
    // Lines that fit 80 columns; the path on a line of its own.
    messages::note(format!("logged in as {}", sanitize::line(&args.email)));
    messages::note(format!(
        "the token is stored in profile `{}` of\n  {} (mode 600)",
        sanitize::line(profile_name),
        path.display()
    ));
    Outcome::Finished
}

/// The longest token stored: far beyond any real one (a JWT is a few hundred bytes), and
/// within what servers accept in a header.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// Whether a token can be stored and sent back: not empty, not absurdly long, and only
/// characters an HTTP header can carry.
fn storable(token: &str) -> Result<(), String> {
    if token.is_empty() {
        return Err("it is empty".into());
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!(
            "it is {} bytes long, more than the {} KiB any server accepts in a header",
            token.len(),
            MAX_TOKEN_BYTES / 1024
        ));
    }
    if let Some(c) = token.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "it holds {}, which an HTTP header cannot carry",
            c.escape_default()
        ));
    }
    Ok(())
}

/// `taskwatch logout`: removes the token stored in the profile (`--profile`, else the file's
/// `default_profile`). Says what it found; never creates a file, a profile or a key.
pub fn logout(named: Option<&str>) -> Outcome {
    let Some(path) = profile::default_path(&|k| std::env::var(k).ok()) else {
        return messages::usage(
            "there is no config file (no HOME or TASKWATCH_CONFIG), so no stored token",
        );
    };
    let file = match profile::ConfigFile::load(&path) {
        Ok(Some(file)) => file,
        Ok(None) => {
            return messages::usage(&format!(
                "there is no config file at {}, so no stored token",
                path.display()
            ))
        }
        Err(e) => return messages::usage(&e.0),
    };
    let Some(name) = named.map(str::to_string).or_else(|| file.default_profile()) else {
        return messages::usage(&format!(
            "{} has no default_profile: name the profile with --profile NAME",
            path.display()
        ));
    };
    let shown = sanitize::line(&name);
    match profile::remove_token(&path, &name) {
        Ok(TokenRemoval::Removed) => {
            messages::note(format!(
                "removed the token of profile `{shown}` from {}",
                path.display()
            ));
            Outcome::Finished
        }
        Ok(TokenRemoval::NoToken { token_file }) => {
            messages::note(format!(
                "profile `{shown}` stores no token: nothing removed"
            ));
            if let Some(file) = token_file {
                messages::note(format!(
                    "it reads one from token_file {}, which logout leaves alone",
                    sanitize::line(&file)
                ));
            }
            Outcome::Finished
        }
        Ok(TokenRemoval::NoProfile { known }) => messages::usage(&format!(
            "no profile `{shown}` in {} (profiles: {}): nothing removed",
            path.display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )),
        Err(e) => {
            messages::error(&e.0);
            Outcome::Error
        }
    }
}

/// The command as the dispatcher calls it: resolves what it needs, then runs.
pub async fn command(args: LoginRequest, given: Given<'_>) -> Result<Outcome, Outcome> {
    let named = args.access.profile.as_deref();
    let session = Session::open(&args.access, &OutputFlags::default(), given, true)?;
    let base = &session.resolved.connection.base_url;
    if !base.username().is_empty() || base.password().is_some() {
        // The token stored beside it would make every later request carry both Basic and
        // Bearer authorization, which every command refuses.
        return Err(messages::usage(
            "login stores a token for the base URL, which must not carry a user name or \
             password (user:password@): pass the URL without them",
        ));
    }
    let client = session.client()?;
    // A base URL given now is remembered with the token.
    let url = given("base_url").map(|_| session.resolved.connection.base_url.to_string());
    let name = session.profile_name(named);
    let path = session.config_path.as_deref();
    Ok(login(&args, &client, path, &name, url.as_deref()).await)
}
