//! The command line's syntax mapped into the settings types of `config`: `cli` knows clap,
//! `config` does not.

use super::*;

impl ConnectionArgs {
    pub fn flags(&self) -> ConnectionFlags {
        ConnectionFlags {
            api_path: self.tasks.api_path.clone(),
            token: self.tasks.token.clone(),
            token_file: self.tasks.token_file.clone(),
            ..self.server.flags()
        }
    }

    pub fn profile(&self) -> Option<&str> {
        self.server.profile.name()
    }
}

impl ServerArgs {
    /// The connection without a status path or a token of the command line's.
    pub fn flags(&self) -> ConnectionFlags {
        ConnectionFlags {
            base_url: self.base_url.clone(),
            api_path: None,
            token: None,
            token_file: None,
            headers: self.headers.clone(),
            cacert: self.cacert.clone(),
            request_timeout: self.request_timeout,
        }
    }
}

impl FormatArg {
    fn format(self) -> OutputFormat {
        match self {
            FormatArg::Human => OutputFormat::Human,
            FormatArg::Plain => OutputFormat::Plain,
            FormatArg::Json => OutputFormat::Json,
        }
    }
}

impl ColorArg {
    fn choice(self) -> ColorChoice {
        match self {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
}

impl StatusOutputArgs {
    pub fn flags(&self) -> OutputFlags {
        OutputFlags {
            format: self.output.map(FormatArg::format),
            color: self.color.choice(),
            utc: self.utc,
            relative: false,
            quiet: false,
            verbose: self.verbose,
        }
    }
}

impl QuietOutputArgs {
    pub fn flags(&self) -> OutputFlags {
        OutputFlags {
            quiet: self.quiet,
            ..self.common.flags()
        }
    }
}

impl OutputArgs {
    pub fn flags(&self) -> OutputFlags {
        OutputFlags {
            relative: self.relative,
            ..self.quiet.flags()
        }
    }
}

impl WatchArgs {
    pub fn flags(&self) -> PollingFlags {
        PollingFlags {
            tail: self.tail,
            include: self.lines.include.clone(),
            exclude: self.lines.exclude.clone(),
            highlight: self.lines.highlight.clone(),
            ..self.poll.flags()
        }
    }
}

impl IntegrationArgs {
    pub fn flags(&self) -> crate::config::IntegrationFlags {
        use crate::config::{CiChoice, CiSystem};
        crate::config::IntegrationFlags {
            ci: Some(match self.ci {
                CiArg::Auto => CiChoice::Auto,
                CiArg::Github => CiChoice::Is(CiSystem::Github),
                CiArg::Gitlab => CiChoice::Is(CiSystem::Gitlab),
                CiArg::None => CiChoice::Is(CiSystem::None),
            }),
            junit: self.junit.clone(),
            heartbeat: self.heartbeat,
            notify: self.notify,
            on_end: self.on_end.clone(),
            on_end_timeout: self.on_end_timeout,
        }
    }
}

impl PollArgs {
    /// The polling settings; what only `watch` takes (the tail, filters, highlighting) empty.
    pub fn flags(&self) -> PollingFlags {
        PollingFlags {
            interval: self.pace.interval,
            min_interval: self.pace.min_interval,
            logs_count: self.pace.logs_count,
            timeout: self.timeout,
            start_timeout: self.start_timeout,
            fail_on: self.fail_on.clone(),
            tail: None,
            from_index: self.from_index,
            trigger: self.trigger.map(|t| match t {
                TriggerArg::Profile => TriggerKind::Profile,
                TriggerArg::Reel => TriggerKind::Reel,
            }),
            give_up_after: self.pace.give_up_after,
            include: Vec::new(),
            exclude: Vec::new(),
            highlight: Vec::new(),
            progress: self.progress.clone(),
        }
    }
}

impl ArchiveArgs {
    pub fn flags(&self) -> ArchiveFlags<'_> {
        ArchiveFlags {
            record: if self.archive {
                Some(true)
            } else if self.no_archive {
                Some(false)
            } else {
                None
            },
            path: self.archive_db.archive_db.as_deref(),
        }
    }
}

impl ArchiveDbArgs {
    pub fn flags(&self) -> ArchiveFlags<'_> {
        ArchiveFlags {
            record: None,
            path: self.archive_db.archive_db.as_deref(),
        }
    }
}

impl ProfileArg {
    pub fn name(&self) -> Option<&str> {
        self.profile.as_deref()
    }
}
