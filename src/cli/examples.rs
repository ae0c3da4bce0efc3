//! The examples that end the help of taskwatch and of each command (and their man pages).

pub(super) const EXAMPLES: &str = "\
Examples:
  Try it:          taskwatch demo
  At a terminal:   taskwatch watch 8f14e45f
  In a script:     taskwatch wait -q 8f14e45f && echo done
                   taskwatch watch --output json 8f14e45f | jq -r 'select(.type==\"log\").message'
  In CI:           taskwatch wait --trigger profile --timeout 30m --fail-on '^ERROR' \"$TASK_ID\"

Exit codes: 0 finished, 1 failed, 2 usage error, 3 never seen processing, 4 authentication
rejected, 5 API unreachable or unusable, 70 internal error, 74 output could not be written,
124 timed out, 130 interrupted.";

// Each command's help ends with a few real invocations of it (also in its man page).
pub(super) const WATCH_EXAMPLES: &str = "\
Examples:
  taskwatch watch 8f14e45f
  taskwatch watch --exclude '^Stored comment batch' --highlight 'ERROR|WARN' @bbcnews
  taskwatch watch --output json 8f14e45f | jq -r 'select(.type==\"log\").message'";
pub(super) const WAIT_EXAMPLES: &str = "\
Examples:
  taskwatch wait -q 8f14e45f && echo done
  taskwatch wait --trigger profile --timeout 30m --fail-on '^ERROR' \"$TASK_ID\"
  taskwatch wait --all --follow-new";
pub(super) const STATUS_EXAMPLES: &str = "\
Examples:
  taskwatch status 8f14e45f
  taskwatch status -n 3 @bbcnews
  taskwatch status -o json 8f14e45f | jq .is_processing";
pub(super) const LS_EXAMPLES: &str = "\
Examples:
  taskwatch ls
  taskwatch ls --processing -o plain
  taskwatch ls --project launch-campaign -o json | jq -r .task_id";
#[cfg(feature = "sim")]
pub(super) const SERVE_EXAMPLES: &str = "\
Examples:
  taskwatch serve --task t1
  taskwatch serve --profiles 3 --schedule 20s
  taskwatch serve --port 8090 --token secret --scenario flaky";
#[cfg(feature = "sim")]
pub(super) const DEMO_EXAMPLES: &str = "\
Examples:
  taskwatch demo
  taskwatch demo --duration 8s | cat
  taskwatch demo --all";
pub(super) const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  taskwatch completions bash > ~/.local/share/bash-completion/completions/taskwatch
  taskwatch completions zsh > ~/.zfunc/_taskwatch
  taskwatch completions fish > ~/.config/fish/completions/taskwatch.fish";
pub(super) const MAN_EXAMPLES: &str = "\
Examples:
  taskwatch man | man -l -
  taskwatch man --dir ~/.cargo/share/man/man1";
pub(super) const CONFIG_EXAMPLES: &str = "\
Examples:
  taskwatch config
  taskwatch config --profile staging
  TASKWATCH_URL=http://127.0.0.1:8090 taskwatch config";
pub(super) const RECORD_EXAMPLES: &str = "\
Examples:
  taskwatch record
  taskwatch record --profile prod --project launch-campaign -v";
pub(super) const HISTORY_EXAMPLES: &str = "\
Examples:
  taskwatch history
  taskwatch history --failed --since 7d
  taskwatch history -o json @bbcnews | jq .run_id";
pub(super) const LOGS_EXAMPLES: &str = "\
Examples:
  taskwatch logs 8f14e45f
  taskwatch logs @bbcnews --run -2 --include ERROR
  taskwatch logs -f 8f14e45f";
pub(super) const STATS_EXAMPLES: &str = "\
Examples:
  taskwatch stats
  taskwatch stats --last 10 @bbcnews";
pub(super) const PRUNE_EXAMPLES: &str = "\
Examples:
  taskwatch prune --older-than 30d
  taskwatch prune --older-than 12h --archive-db /var/lib/taskwatch/archive.sqlite3";
pub(super) const LOGIN_EXAMPLES: &str = "\
Examples:
  taskwatch login --email me@example.com
  printf '%s' \"$PASSWORD\" | taskwatch login --email ci@example.com --password-stdin --profile ci";
pub(super) const LOGOUT_EXAMPLES: &str = "\
Examples:
  taskwatch logout
  taskwatch logout --profile ci";
