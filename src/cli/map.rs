//! The command line's syntax mapped into `config`'s plain types (settings and each command's
//! request): `cli` knows clap, nothing below it does.

use super::*;
use crate::api::TriggerKind;
use crate::config::*;

impl ConnectionArgs {
    pub fn access(&self) -> Access {
        Access {
            profile: self.server.profile.profile.clone(),
            flags: ConnectionFlags {
                api_path: self.tasks.api_path.clone(),
                token: self.tasks.token.clone(),
                token_file: self.tasks.token_file.clone(),
                ..self.server.flags()
            },
        }
    }
}

impl ServerArgs {
    /// The connection without a status path or a token of the command line's.
    fn flags(&self) -> ConnectionFlags {
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

    pub fn access(&self) -> Access {
        Access {
            profile: self.profile.profile.clone(),
            flags: self.flags(),
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

impl IntegrationArgs {
    fn flags(&self) -> IntegrationFlags {
        IntegrationFlags {
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

impl PaceArgs {
    /// The default polling settings at this pace.
    fn polling(&self) -> Polling {
        Polling {
            interval: self.interval,
            min_interval: self.min_interval,
            logs_count: self.logs_count,
            give_up_after: self.give_up_after,
            ..Polling::default()
        }
    }
}

impl PollArgs {
    /// The polling settings; what only `watch` takes (the tail, filters) left empty.
    fn polling(&self) -> Polling {
        Polling {
            timeout: self.timeout,
            start_timeout: self.start_timeout,
            fail_on: self.fail_on.clone(),
            start: crate::tracker::Start {
                tail: None,
                from_index: self.from_index,
            },
            trigger: self.trigger.map(|t| match t {
                TriggerArg::Profile => TriggerKind::Profile,
                TriggerArg::Reel => TriggerKind::Reel,
            }),
            progress: self.progress.clone().unwrap_or_default(),
            ..self.pace.polling()
        }
    }

    /// What `watch` and `wait` share; `output` and `follow_new` are each one's own.
    fn request(&self, output: OutputFlags, follow_new: bool) -> FollowRequest {
        FollowRequest {
            access: self.connection.access(),
            output,
            task_ids: self.task_ids.clone(),
            all: self.all.then(|| Discovering {
                every: self.discover_interval,
                probe_rate: self.probe_rate,
                projects: self.projects.clone(),
                follow_new,
            }),
            polling: self.polling(),
            highlight: Vec::new(),
            integration: self.integration.flags(),
            archive: self.archive.flags(),
        }
    }
}

impl WatchArgs {
    pub fn request(&self) -> FollowRequest {
        let mut request = self.poll.request(self.output.flags(), true);
        request.polling.start.tail = self.tail;
        request.polling.filter = crate::filter::Filter {
            include: self.lines.include.clone(),
            exclude: self.lines.exclude.clone(),
        };
        request.highlight = self.lines.highlight.clone();
        request
    }
}

impl WaitArgs {
    pub fn request(&self) -> FollowRequest {
        self.poll.request(self.output.flags(), self.follow_new)
    }
}

impl ArchiveArgs {
    fn flags(&self) -> ArchiveFlags {
        ArchiveFlags {
            record: if self.archive {
                Some(true)
            } else if self.no_archive {
                Some(false)
            } else {
                None
            },
            path: self.archive_db.archive_db.clone(),
        }
    }
}

impl ArchiveDbArgs {
    fn at(&self) -> ArchiveAt {
        ArchiveAt {
            path: self.archive_db.archive_db.clone(),
            profile: self.profile.profile.clone(),
        }
    }
}

impl RecordArgs {
    pub fn request(&self) -> RecordRequest {
        RecordRequest {
            access: self.connection.access(),
            discovering: Discovering {
                every: self.discover_interval,
                probe_rate: self.probe_rate,
                projects: self.projects.clone(),
                follow_new: true,
            },
            polling: self.pace.polling(),
            archive_db: self.archive_db.archive_db.clone(),
            verbose: self.verbose,
        }
    }
}

impl HistoryArgs {
    pub fn request(&self) -> HistoryRequest {
        HistoryRequest {
            archive: self.archive.at(),
            output: self.output.flags(),
            task_ids: self.task_ids.clone(),
            since: self.since,
            failed: self.failed,
            limit: self.limit,
        }
    }
}

impl LogsArgs {
    pub fn request(&self) -> LogsRequest {
        LogsRequest {
            archive: self.archive.at(),
            output: self.output.flags(),
            task_id: self.task_id.clone(),
            run: self.run,
            run_id: self.run_id,
            follow: self.follow,
            fail_on: self.fail_on.clone(),
            include: self.lines.include.clone(),
            exclude: self.lines.exclude.clone(),
            highlight: self.lines.highlight.clone(),
            junit: self.junit.clone(),
        }
    }
}

impl StatsArgs {
    pub fn request(&self) -> StatsRequest {
        StatsRequest {
            archive: self.archive.at(),
            output: self.output.flags(),
            task_ids: self.task_ids.clone(),
            last: self.last,
        }
    }
}

impl PruneArgs {
    pub fn request(&self) -> PruneRequest {
        PruneRequest {
            archive: self.archive.at(),
            older_than: self.older_than.unwrap_or_default(),
        }
    }
}

impl StatusArgs {
    pub fn request(&self) -> StatusRequest {
        StatusRequest {
            access: self.connection.access(),
            output: self.output.flags(),
            task_id: self.task_id.clone(),
            logs_count: self.logs_count,
            progress: self.progress.clone(),
        }
    }
}

impl LsArgs {
    pub fn request(&self) -> LsRequest {
        LsRequest {
            access: self.connection.access(),
            output: self.output.flags(),
            processing_only: self.processing,
            projects: self.projects.clone(),
        }
    }
}

impl LoginArgs {
    pub fn request(&self) -> LoginRequest {
        LoginRequest {
            access: self.server.access(),
            email: self.email.clone(),
            password_stdin: self.password_stdin,
        }
    }
}
