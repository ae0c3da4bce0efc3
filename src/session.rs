//! What the commands that talk to the backend share: the profile, the resolved connection,
//! the HTTP client and the token's expiry. `serve`, `demo`, `completions`, `man` and `logout` never
//! come here, so a broken config file cannot stop them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::Client;
use crate::cli::ConnectionArgs;
use crate::config::{OutputFlags, Presentation, ResolvedConnection};
use crate::messages;
use crate::outcome::Outcome;
use crate::profile::{self, Profile};
use crate::render;
use crate::secret::Expiry;

pub struct Session {
    pub presentation: Presentation,
    pub config_path: Option<PathBuf>,
    pub profile: Option<Profile>,
    pub resolved: ResolvedConnection,
}

impl Session {
    /// Reads the profile and resolves the connection; `lenient` for login, which creates the
    /// profile it names.
    pub fn open(
        connection: &ConnectionArgs,
        output: &OutputFlags,
        given: &dyn Fn(&str) -> Option<String>,
        lenient: bool,
    ) -> Result<Session, Outcome> {
        let presentation = Presentation::from_env(output);
        let config_path = profile::default_path(&|k| std::env::var(k).ok());
        let mut warnings = Vec::new();
        let named = connection.profile.as_deref();
        let profile = profile::select(config_path.as_deref(), named, lenient, &mut warnings)
            .map_err(|e| messages::usage(&e.to_string()))?;
        let resolved = ResolvedConnection::resolve(&connection.flags(), given, profile.as_ref())
            .map_err(|e| messages::usage(&e.to_string()))?;
        for w in warnings.iter().chain(&resolved.warnings) {
            messages::warning(w);
        }
        Ok(Session {
            presentation,
            config_path,
            profile,
            resolved,
        })
    }

    pub fn client(&self) -> Result<Arc<Client>, Outcome> {
        Client::new(&self.resolved.connection, self.presentation.verbose)
            .map(Arc::new)
            .map_err(|e| {
                messages::error(&e);
                Outcome::ApiError
            })
    }

    /// The token's expiry, when it is a JWT; an expired token ends the run at once (exit 4).
    pub fn token_expiry(&self) -> Result<Option<f64>, Outcome> {
        let token = self.resolved.connection.token.as_ref();
        let exp = match token.and_then(|t| t.jwt_expiry()) {
            None => return Ok(None),
            Some(Expiry::Unusable) => {
                messages::warning("the token's `exp` claim is not a usable time; ignoring it");
                return Ok(None);
            }
            Some(Expiry::At(exp)) => exp,
        };
        let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
        if exp > now {
            return Ok(Some(exp));
        }
        let ago = Duration::try_from_secs_f64(now - exp).unwrap_or_default();
        messages::error(&format!(
            "the token expired at {} ({} ago); get a new one",
            render::format::rfc3339(Some(exp), self.presentation.utc),
            render::duration(ago)
        ));
        Err(Outcome::AuthError)
    }

    /// The profile `login` works on.
    pub fn profile_name(&self, connection: &ConnectionArgs) -> String {
        connection
            .profile
            .clone()
            .or_else(|| self.profile.as_ref().map(|p| p.name.clone()))
            .unwrap_or_else(|| "default".into())
    }
}
