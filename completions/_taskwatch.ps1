
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'taskwatch' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'taskwatch'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'taskwatch' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Stream new log lines of each task until it stops processing')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Poll like `watch` but print no log lines: the exit code tells the outcome')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Make one request and print the task''s state and latest lines (exit 0 while processing, 3 when not)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your tasks (tracked profiles; with --project, a project''s reels) and say which are processing now')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your tasks (tracked profiles; with --project, a project''s reels) and say which are processing now')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A guided tour: a simulated backend in this process, one task started and watched')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, elvish, powershell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write one page per command into a directory')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved settings and where each one came from (the token masked); exit 2 when one is invalid or unreadable')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Record every run of every task that is or starts processing into the archive, until Ctrl-C or SIGTERM (exit 0): the recorder, for a terminal or a service manager')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the recorded runs, newest first')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a recorded run (default: the task''s latest) as `watch` printed it; -f follows a run another taskwatch is recording')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Per task: runs, outcomes, durations, and the time each phase takes, from the archive')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove the recorded runs that ended before a time')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in with email and password and store the token in the profile')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token from the profile')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'taskwatch;watch' {
            [CompletionResult]::new('--discover-interval', '--discover-interval', [CompletionResultType]::ParameterName, 'With --all, time between looks for tasks that started (a listing and a probe of each idle task)')
            [CompletionResult]::new('--probe-rate', '--probe-rate', [CompletionResultType]::ParameterName, 'With --all, probes a second of the tasks that are not due by their schedule (paused, or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due tasks, and those without a schedule, are probed every round. 0 probes none of the others')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'With --all, also follow this project''s reel tasks (repeatable)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Time between polls of one task (at least 100ms)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between polls of one task (at least 100ms)')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace')
            [CompletionResult]::new('--logs-count', '--logs-count', [CompletionResultType]::ParameterName, 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace')
            [CompletionResult]::new('--give-up-after', '--give-up-after', [CompletionResultType]::ParameterName, 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up while the task is still processing (exit 124)')
            [CompletionResult]::new('--start-timeout', '--start-timeout', [CompletionResultType]::ParameterName, 'Keep polling this long for a task that is not processing yet (just triggered)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'A log line matching this regex marks the task failed (exit 1); repeatable')
            [CompletionResult]::new('--from-index', '--from-index', [CompletionResultType]::ParameterName, 'Treat lines before this index as already shown (resume an earlier run)')
            [CompletionResult]::new('--trigger', '--trigger', [CompletionResultType]::ParameterName, 'Start each task first with its force-scrape endpoint (409, already running, is fine); then wait up to --start-timeout (default 60s) for it to appear')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it ("Processing post 3/12")')
            [CompletionResult]::new('--ci', '--ci', [CompletionResultType]::ParameterName, 'Follow a CI system''s log conventions (profile key `ci`)')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report here: a test case per task (written also when interrupted)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'When stderr is not a terminal and no lines are printed, say every D that the tasks still run (0: never)')
            [CompletionResult]::new('--on-end', '--on-end', [CompletionResultType]::ParameterName, 'After each task ends, run this with `sh -c`, the facts in TASKWATCH_* variables (profile key `on_end`)')
            [CompletionResult]::new('--on-end-timeout', '--on-end-timeout', [CompletionResultType]::ParameterName, 'Kill an --on-end command still running after this long')
            [CompletionResult]::new('--archive-db', '--archive-db', [CompletionResultType]::ParameterName, 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--api-path', '--api-path', [CompletionResultType]::ParameterName, 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the bearer token from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'At start, show at most the last N lines of the history the first response holds')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Show only lines matching this regex; repeatable (any may match). Hidden lines still count for --fail-on, progress and the exit code')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Hide lines matching this regex; repeatable; wins over --include')
            [CompletionResult]::new('--highlight', '--highlight', [CompletionResultType]::ParameterName, 'In human output, show what this regex matches bold and inverse; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Follow every task that is processing: `watch` keeps looking for tasks that start until Ctrl-C; `wait` waits for those processing now')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'When a task ends, ring the terminal bell and post a desktop notification (profile key `notify`)')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'Record every followed run in the archive (every line, filters or not; the token masked). Read it back with `history`, `logs` and `stats`')
            [CompletionResult]::new('--no-archive', '--no-archive', [CompletionResultType]::ParameterName, 'Do not record, whatever the profile''s `archive` says')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('--relative', '--relative', [CompletionResultType]::ParameterName, 'In human output, show time since the task started (`+01:23`) instead of the clock')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;wait' {
            [CompletionResult]::new('--discover-interval', '--discover-interval', [CompletionResultType]::ParameterName, 'With --all, time between looks for tasks that started (a listing and a probe of each idle task)')
            [CompletionResult]::new('--probe-rate', '--probe-rate', [CompletionResultType]::ParameterName, 'With --all, probes a second of the tasks that are not due by their schedule (paused, or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due tasks, and those without a schedule, are probed every round. 0 probes none of the others')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'With --all, also follow this project''s reel tasks (repeatable)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Time between polls of one task (at least 100ms)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between polls of one task (at least 100ms)')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace')
            [CompletionResult]::new('--logs-count', '--logs-count', [CompletionResultType]::ParameterName, 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace')
            [CompletionResult]::new('--give-up-after', '--give-up-after', [CompletionResultType]::ParameterName, 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up while the task is still processing (exit 124)')
            [CompletionResult]::new('--start-timeout', '--start-timeout', [CompletionResultType]::ParameterName, 'Keep polling this long for a task that is not processing yet (just triggered)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'A log line matching this regex marks the task failed (exit 1); repeatable')
            [CompletionResult]::new('--from-index', '--from-index', [CompletionResultType]::ParameterName, 'Treat lines before this index as already shown (resume an earlier run)')
            [CompletionResult]::new('--trigger', '--trigger', [CompletionResultType]::ParameterName, 'Start each task first with its force-scrape endpoint (409, already running, is fine); then wait up to --start-timeout (default 60s) for it to appear')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it ("Processing post 3/12")')
            [CompletionResult]::new('--ci', '--ci', [CompletionResultType]::ParameterName, 'Follow a CI system''s log conventions (profile key `ci`)')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report here: a test case per task (written also when interrupted)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'When stderr is not a terminal and no lines are printed, say every D that the tasks still run (0: never)')
            [CompletionResult]::new('--on-end', '--on-end', [CompletionResultType]::ParameterName, 'After each task ends, run this with `sh -c`, the facts in TASKWATCH_* variables (profile key `on_end`)')
            [CompletionResult]::new('--on-end-timeout', '--on-end-timeout', [CompletionResultType]::ParameterName, 'Kill an --on-end command still running after this long')
            [CompletionResult]::new('--archive-db', '--archive-db', [CompletionResultType]::ParameterName, 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--api-path', '--api-path', [CompletionResultType]::ParameterName, 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the bearer token from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Follow every task that is processing: `watch` keeps looking for tasks that start until Ctrl-C; `wait` waits for those processing now')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'When a task ends, ring the terminal bell and post a desktop notification (profile key `notify`)')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'Record every followed run in the archive (every line, filters or not; the token masked). Read it back with `history`, `logs` and `stats`')
            [CompletionResult]::new('--no-archive', '--no-archive', [CompletionResultType]::ParameterName, 'Do not record, whatever the profile''s `archive` says')
            [CompletionResult]::new('--follow-new', '--follow-new', [CompletionResultType]::ParameterName, 'With --all, also follow the tasks that start while waiting (`watch --all` always does)')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;status' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many of the latest lines to show (1 to 100)')
            [CompletionResult]::new('--logs-count', '--logs-count', [CompletionResultType]::ParameterName, 'How many of the latest lines to show (1 to 100)')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--api-path', '--api-path', [CompletionResultType]::ParameterName, 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the bearer token from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;ls' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Also list this project''s reel tasks (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--api-path', '--api-path', [CompletionResultType]::ParameterName, 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the bearer token from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--processing', '--processing', [CompletionResultType]::ParameterName, 'Show only the tasks that are processing now')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;list' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Also list this project''s reel tasks (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--api-path', '--api-path', [CompletionResultType]::ParameterName, 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the bearer token from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--processing', '--processing', [CompletionResultType]::ParameterName, 'Show only the tasks that are processing now')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (0 picks a free one)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Server version to imitate: 6 (latest_event only), 7 (task_status path) or 8 (profile_tracking_task_status path)')
            [CompletionResult]::new('--scenario', '--scenario', [CompletionResultType]::ParameterName, 'Behaviour of simulated tasks and of the server')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Start a (profile) task with this id at launch (repeatable)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long a simulated task runs')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Lines the server keeps in the `trimmed` scenario')
            [CompletionResult]::new('--slow-delay', '--slow-delay', [CompletionResultType]::ParameterName, 'How long a slow answer takes in the `slow` scenario')
            [CompletionResult]::new('--fault-percent', '--fault-percent', [CompletionResultType]::ParameterName, 'Share of status answers that fail (`flaky`) or are slow (`slow`), in percent')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for the simulated content and faults (random by default)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'An account for `POST /codvid-ai/auth/login` (repeatable); with one, every ig-tracking route wants a token that login handed out (or --token''s)')
            [CompletionResult]::new('--profiles', '--profiles', [CompletionResultType]::ParameterName, 'Tracked profiles the listing holds (their tasks idle until started), and a project of a few reel tasks')
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'With --profiles, the schedule: the profiles take turns this often (in a random order), so one scheduled run starts every DURATION and each profile is due again after profiles × DURATION. The listing''s next_scrape_due says when; last_scraped moves when a run ends. 0s: no schedule, every profile due a day after its last scrape')
            [CompletionResult]::new('--forced-runs', '--forced-runs', [CompletionResultType]::ParameterName, 'With --profiles, start a run by hand on a random idle profile this often, outside its schedule: its next_scrape_due stays, its last_scraped moves when the run ends (0s: never)')
            [CompletionResult]::new('--token-ttl', '--token-ttl', [CompletionResultType]::ParameterName, 'How long a token from login stays valid; after that every route answers 401, as the backend does (rehearse an expiry mid-task with e.g. `--token-ttl 30s`)')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Lines a `steady` task writes')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Lines a second a `steady` task writes')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Every ig-tracking route then answers 401 without `Authorization: Bearer TOKEN` (never taken from a profile)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;demo' {
            [CompletionResult]::new('--scenario', '--scenario', [CompletionResultType]::ParameterName, 'Behaviour of the simulated task')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long the simulated task runs')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Tracked profiles that start on their own, followed with `watch --all`')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('--relative', '--relative', [CompletionResultType]::ParameterName, 'In human output, show time since the task started (`+01:23`) instead of the clock')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'taskwatch;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write taskwatch.1 and one page per command (taskwatch-watch.1, …) into this directory (created if missing) instead of printing the main page')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'taskwatch;config' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--api-path', '--api-path', [CompletionResultType]::ParameterName, 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the bearer token from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'taskwatch;record' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Also record this project''s reel tasks (repeatable)')
            [CompletionResult]::new('--discover-interval', '--discover-interval', [CompletionResultType]::ParameterName, 'Time between looks for tasks that started')
            [CompletionResult]::new('--probe-rate', '--probe-rate', [CompletionResultType]::ParameterName, 'Probes a second of the tasks that are not due by their schedule (see `watch --all`)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Time between polls of one task (at least 100ms)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between polls of one task (at least 100ms)')
            [CompletionResult]::new('--min-interval', '--min-interval', [CompletionResultType]::ParameterName, 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace')
            [CompletionResult]::new('--logs-count', '--logs-count', [CompletionResultType]::ParameterName, 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace')
            [CompletionResult]::new('--give-up-after', '--give-up-after', [CompletionResultType]::ParameterName, 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)')
            [CompletionResult]::new('--archive-db', '--archive-db', [CompletionResultType]::ParameterName, 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--api-path', '--api-path', [CompletionResultType]::ParameterName, 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the bearer token from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say each run that starts and ends (-vv: request-level detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say each run that starts and ends (-vv: request-level detail)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'taskwatch;history' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only runs started within this long (`24h`, `7d`)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many runs (the newest)')
            [CompletionResult]::new('--archive-db', '--archive-db', [CompletionResultType]::ParameterName, 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Only failed runs')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;logs' {
            [CompletionResult]::new('--run', '--run', [CompletionResultType]::ParameterName, 'Which of the task''s runs: 1 is the oldest recorded, -1 the latest (the default)')
            [CompletionResult]::new('--run-id', '--run-id', [CompletionResultType]::ParameterName, 'A run by its archive id (`history -o json`''s `run_id`)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'A log line matching this regex marks the run failed (exit 1); repeatable')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Show only lines matching this regex; repeatable (any may match). Hidden lines still count for --fail-on, progress and the exit code')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Hide lines matching this regex; repeatable; wins over --include')
            [CompletionResult]::new('--highlight', '--highlight', [CompletionResultType]::ParameterName, 'In human output, show what this regex matches bold and inverse; repeatable')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report of the run here, as `watch --junit` would have')
            [CompletionResult]::new('--archive-db', '--archive-db', [CompletionResultType]::ParameterName, 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing the run''s lines as another taskwatch records them, until it ends; no request reaches the backend')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing the run''s lines as another taskwatch records them, until it ends; no request reaches the backend')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary, no progress: only log lines (and errors)')
            [CompletionResult]::new('--relative', '--relative', [CompletionResultType]::ParameterName, 'In human output, show time since the task started (`+01:23`) instead of the clock')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;stats' {
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Only each task''s last N runs')
            [CompletionResult]::new('--archive-db', '--archive-db', [CompletionResultType]::ParameterName, 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: human on a terminal, plain otherwise]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of local time')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Request-level detail on stderr (-vv: also response excerpts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'taskwatch;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Remove the runs that ended longer ago than this (`30d`, `12h`)')
            [CompletionResult]::new('--archive-db', '--archive-db', [CompletionResultType]::ParameterName, 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'taskwatch;login' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Account email address')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Backend base URL; may carry a path prefix')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, `Name: value` (repeatable)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (a private CA)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from standard input instead of asking at the terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'taskwatch;logout' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Settings profile from the config file (default: its `default_profile`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'taskwatch;help' {
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Stream new log lines of each task until it stops processing')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Poll like `watch` but print no log lines: the exit code tells the outcome')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Make one request and print the task''s state and latest lines (exit 0 while processing, 3 when not)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List your tasks (tracked profiles; with --project, a project''s reels) and say which are processing now')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A guided tour: a simulated backend in this process, one task started and watched')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, elvish, powershell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write one page per command into a directory')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the resolved settings and where each one came from (the token masked); exit 2 when one is invalid or unreadable')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Record every run of every task that is or starts processing into the archive, until Ctrl-C or SIGTERM (exit 0): the recorder, for a terminal or a service manager')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the recorded runs, newest first')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a recorded run (default: the task''s latest) as `watch` printed it; -f follows a run another taskwatch is recording')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Per task: runs, outcomes, durations, and the time each phase takes, from the archive')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove the recorded runs that ended before a time')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in with email and password and store the token in the profile')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token from the profile')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'taskwatch;help;watch' {
            break
        }
        'taskwatch;help;wait' {
            break
        }
        'taskwatch;help;status' {
            break
        }
        'taskwatch;help;ls' {
            break
        }
        'taskwatch;help;serve' {
            break
        }
        'taskwatch;help;demo' {
            break
        }
        'taskwatch;help;completions' {
            break
        }
        'taskwatch;help;man' {
            break
        }
        'taskwatch;help;config' {
            break
        }
        'taskwatch;help;record' {
            break
        }
        'taskwatch;help;history' {
            break
        }
        'taskwatch;help;logs' {
            break
        }
        'taskwatch;help;stats' {
            break
        }
        'taskwatch;help;prune' {
            break
        }
        'taskwatch;help;login' {
            break
        }
        'taskwatch;help;logout' {
            break
        }
        'taskwatch;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
