
use builtin;
use str;

set edit:completion:arg-completer[taskwatch] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'taskwatch'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'taskwatch'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand watch 'Stream new log lines of each task until it stops processing'
            cand wait 'Poll like `watch` but print no log lines: the exit code tells the outcome'
            cand status 'Make one request and print the task''s state and latest lines (exit 0 while processing, 3 when not)'
            cand ls 'List your tasks (tracked profiles; with --project, a project''s reels) and say which are processing now'
            cand list 'List your tasks (tracked profiles; with --project, a project''s reels) and say which are processing now'
            cand serve 'Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates'
            cand demo 'A guided tour: a simulated backend in this process, one task started and watched'
            cand completions 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
            cand man 'Print the man page (roff), or write one page per command into a directory'
            cand config 'Show the resolved settings and where each one came from (the token masked); exit 2 when one is invalid or unreadable'
            cand record 'Record every run of every task that is or starts processing into the archive, until Ctrl-C or SIGTERM (exit 0): the recorder, for a terminal or a service manager'
            cand history 'List the recorded runs, newest first'
            cand logs 'Print a recorded run (default: the task''s latest) as `watch` printed it; -f follows a run another taskwatch is recording'
            cand stats 'Per task: runs, outcomes, durations, and the time each phase takes, from the archive'
            cand prune 'Remove the recorded runs that ended before a time'
            cand login 'Log in with email and password and store the token in the profile'
            cand logout 'Remove the stored token from the profile'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'taskwatch;watch'= {
            cand --discover-interval 'With --all, time between looks for tasks that started (a listing and a probe of each idle task)'
            cand --probe-rate 'With --all, probes a second of the tasks that are not due by their schedule (paused, or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due tasks, and those without a schedule, are probed every round. 0 probes none of the others'
            cand --project 'With --all, also follow this project''s reel tasks (repeatable)'
            cand -i 'Time between polls of one task (at least 100ms)'
            cand --interval 'Time between polls of one task (at least 100ms)'
            cand --min-interval 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)'
            cand -n 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace'
            cand --logs-count 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace'
            cand --give-up-after 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)'
            cand --timeout 'Give up while the task is still processing (exit 124)'
            cand --start-timeout 'Keep polling this long for a task that is not processing yet (just triggered)'
            cand --fail-on 'A log line matching this regex marks the task failed (exit 1); repeatable'
            cand --from-index 'Treat lines before this index as already shown (resume an earlier run)'
            cand --trigger 'Start each task first with its force-scrape endpoint (409, already running, is fine); then wait up to --start-timeout (default 60s) for it to appear'
            cand --progress 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it ("Processing post 3/12")'
            cand --ci 'Follow a CI system''s log conventions (profile key `ci`)'
            cand --junit 'Write a JUnit XML report here: a test case per task (written also when interrupted)'
            cand --heartbeat 'When stderr is not a terminal and no lines are printed, say every D that the tasks still run (0: never)'
            cand --on-end 'After each task ends, run this with `sh -c`, the facts in TASKWATCH_* variables (profile key `on_end`)'
            cand --on-end-timeout 'Kill an --on-end command still running after this long'
            cand --archive-db 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --api-path 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)'
            cand --token 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file'
            cand --token-file 'Read the bearer token from this file (surrounding whitespace is ignored)'
            cand --tail 'At start, show at most the last N lines of the history the first response holds'
            cand --include 'Show only lines matching this regex; repeatable (any may match). Hidden lines still count for --fail-on, progress and the exit code'
            cand --exclude 'Hide lines matching this regex; repeatable; wins over --include'
            cand --highlight 'In human output, show what this regex matches bold and inverse; repeatable'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --all 'Follow every task that is processing: `watch` keeps looking for tasks that start until Ctrl-C; `wait` waits for those processing now'
            cand --notify 'When a task ends, ring the terminal bell and post a desktop notification (profile key `notify`)'
            cand --archive 'Record every followed run in the archive (every line, filters or not; the token masked). Read it back with `history`, `logs` and `stats`'
            cand --no-archive 'Do not record, whatever the profile''s `archive` says'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -q 'No summary, no progress: only log lines (and errors)'
            cand --quiet 'No summary, no progress: only log lines (and errors)'
            cand --relative 'In human output, show time since the task started (`+01:23`) instead of the clock'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;wait'= {
            cand --discover-interval 'With --all, time between looks for tasks that started (a listing and a probe of each idle task)'
            cand --probe-rate 'With --all, probes a second of the tasks that are not due by their schedule (paused, or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due tasks, and those without a schedule, are probed every round. 0 probes none of the others'
            cand --project 'With --all, also follow this project''s reel tasks (repeatable)'
            cand -i 'Time between polls of one task (at least 100ms)'
            cand --interval 'Time between polls of one task (at least 100ms)'
            cand --min-interval 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)'
            cand -n 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace'
            cand --logs-count 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace'
            cand --give-up-after 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)'
            cand --timeout 'Give up while the task is still processing (exit 124)'
            cand --start-timeout 'Keep polling this long for a task that is not processing yet (just triggered)'
            cand --fail-on 'A log line matching this regex marks the task failed (exit 1); repeatable'
            cand --from-index 'Treat lines before this index as already shown (resume an earlier run)'
            cand --trigger 'Start each task first with its force-scrape endpoint (409, already running, is fine); then wait up to --start-timeout (default 60s) for it to appear'
            cand --progress 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it ("Processing post 3/12")'
            cand --ci 'Follow a CI system''s log conventions (profile key `ci`)'
            cand --junit 'Write a JUnit XML report here: a test case per task (written also when interrupted)'
            cand --heartbeat 'When stderr is not a terminal and no lines are printed, say every D that the tasks still run (0: never)'
            cand --on-end 'After each task ends, run this with `sh -c`, the facts in TASKWATCH_* variables (profile key `on_end`)'
            cand --on-end-timeout 'Kill an --on-end command still running after this long'
            cand --archive-db 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --api-path 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)'
            cand --token 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file'
            cand --token-file 'Read the bearer token from this file (surrounding whitespace is ignored)'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --all 'Follow every task that is processing: `watch` keeps looking for tasks that start until Ctrl-C; `wait` waits for those processing now'
            cand --notify 'When a task ends, ring the terminal bell and post a desktop notification (profile key `notify`)'
            cand --archive 'Record every followed run in the archive (every line, filters or not; the token masked). Read it back with `history`, `logs` and `stats`'
            cand --no-archive 'Do not record, whatever the profile''s `archive` says'
            cand --follow-new 'With --all, also follow the tasks that start while waiting (`watch --all` always does)'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -q 'No summary, no progress: only log lines (and errors)'
            cand --quiet 'No summary, no progress: only log lines (and errors)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;status'= {
            cand -n 'How many of the latest lines to show (1 to 100)'
            cand --logs-count 'How many of the latest lines to show (1 to 100)'
            cand --progress 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --api-path 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)'
            cand --token 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file'
            cand --token-file 'Read the bearer token from this file (surrounding whitespace is ignored)'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;ls'= {
            cand --project 'Also list this project''s reel tasks (repeatable)'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --api-path 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)'
            cand --token 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file'
            cand --token-file 'Read the bearer token from this file (surrounding whitespace is ignored)'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --processing 'Show only the tasks that are processing now'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;list'= {
            cand --project 'Also list this project''s reel tasks (repeatable)'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --api-path 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)'
            cand --token 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file'
            cand --token-file 'Read the bearer token from this file (surrounding whitespace is ignored)'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --processing 'Show only the tasks that are processing now'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;serve'= {
            cand --port 'Port to listen on (0 picks a free one)'
            cand --bind 'Address to listen on'
            cand --api 'Server version to imitate: 6 (latest_event only), 7 (task_status path) or 8 (profile_tracking_task_status path)'
            cand --scenario 'Behaviour of simulated tasks and of the server'
            cand --task 'Start a (profile) task with this id at launch (repeatable)'
            cand --duration 'How long a simulated task runs'
            cand --keep 'Lines the server keeps in the `trimmed` scenario'
            cand --slow-delay 'How long a slow answer takes in the `slow` scenario'
            cand --fault-percent 'Share of status answers that fail (`flaky`) or are slow (`slow`), in percent'
            cand --seed 'Seed for the simulated content and faults (random by default)'
            cand --user 'An account for `POST /codvid-ai/auth/login` (repeatable); with one, every ig-tracking route wants a token that login handed out (or --token''s)'
            cand --profiles 'Tracked profiles the listing holds (their tasks idle until started), and a project of a few reel tasks'
            cand --schedule 'With --profiles, the schedule: the profiles take turns this often (in a random order), so one scheduled run starts every DURATION and each profile is due again after profiles × DURATION. The listing''s next_scrape_due says when; last_scraped moves when a run ends. 0s: no schedule, every profile due a day after its last scrape'
            cand --forced-runs 'With --profiles, start a run by hand on a random idle profile this often, outside its schedule: its next_scrape_due stays, its last_scraped moves when the run ends (0s: never)'
            cand --token-ttl 'How long a token from login stays valid; after that every route answers 401, as the backend does (rehearse an expiry mid-task with e.g. `--token-ttl 30s`)'
            cand --lines 'Lines a `steady` task writes'
            cand --rate 'Lines a second a `steady` task writes'
            cand --token 'Every ig-tracking route then answers 401 without `Authorization: Bearer TOKEN` (never taken from a profile)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;demo'= {
            cand --scenario 'Behaviour of the simulated task'
            cand --duration 'How long the simulated task runs'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --all 'Tracked profiles that start on their own, followed with `watch --all`'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -q 'No summary, no progress: only log lines (and errors)'
            cand --quiet 'No summary, no progress: only log lines (and errors)'
            cand --relative 'In human output, show time since the task started (`+01:23`) instead of the clock'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'taskwatch;man'= {
            cand --dir 'Write taskwatch.1 and one page per command (taskwatch-watch.1, …) into this directory (created if missing) instead of printing the main page'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'taskwatch;config'= {
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --api-path 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)'
            cand --token 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file'
            cand --token-file 'Read the bearer token from this file (surrounding whitespace is ignored)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'taskwatch;record'= {
            cand --project 'Also record this project''s reel tasks (repeatable)'
            cand --discover-interval 'Time between looks for tasks that started'
            cand --probe-rate 'Probes a second of the tasks that are not due by their schedule (see `watch --all`)'
            cand -i 'Time between polls of one task (at least 100ms)'
            cand --interval 'Time between polls of one task (at least 100ms)'
            cand --min-interval 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)'
            cand -n 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace'
            cand --logs-count 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task''s pace'
            cand --give-up-after 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)'
            cand --archive-db 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --api-path 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)'
            cand --token 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file'
            cand --token-file 'Read the bearer token from this file (surrounding whitespace is ignored)'
            cand -v 'Say each run that starts and ends (-vv: request-level detail)'
            cand --verbose 'Say each run that starts and ends (-vv: request-level detail)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'taskwatch;history'= {
            cand --since 'Only runs started within this long (`24h`, `7d`)'
            cand --limit 'At most this many runs (the newest)'
            cand --archive-db 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --failed 'Only failed runs'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;logs'= {
            cand --run 'Which of the task''s runs: 1 is the oldest recorded, -1 the latest (the default)'
            cand --run-id 'A run by its archive id (`history -o json`''s `run_id`)'
            cand --fail-on 'A log line matching this regex marks the run failed (exit 1); repeatable'
            cand --include 'Show only lines matching this regex; repeatable (any may match). Hidden lines still count for --fail-on, progress and the exit code'
            cand --exclude 'Hide lines matching this regex; repeatable; wins over --include'
            cand --highlight 'In human output, show what this regex matches bold and inverse; repeatable'
            cand --junit 'Write a JUnit XML report of the run here, as `watch --junit` would have'
            cand --archive-db 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -f 'Keep printing the run''s lines as another taskwatch records them, until it ends; no request reaches the backend'
            cand --follow 'Keep printing the run''s lines as another taskwatch records them, until it ends; no request reaches the backend'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -q 'No summary, no progress: only log lines (and errors)'
            cand --quiet 'No summary, no progress: only log lines (and errors)'
            cand --relative 'In human output, show time since the task started (`+01:23`) instead of the clock'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;stats'= {
            cand --last 'Only each task''s last N runs'
            cand --archive-db 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand -o 'Output format [default: human on a terminal, plain otherwise]'
            cand --output 'Output format [default: human on a terminal, plain otherwise]'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --utc 'Show times in UTC instead of local time'
            cand -v 'Request-level detail on stderr (-vv: also response excerpts)'
            cand --verbose 'Request-level detail on stderr (-vv: also response excerpts)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'taskwatch;prune'= {
            cand --older-than 'Remove the runs that ended longer ago than this (`30d`, `12h`)'
            cand --archive-db 'The archive''s database file [default: the platform data directory''s taskwatch/archive.sqlite3, or the profile''s `archive_db`]'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'taskwatch;login'= {
            cand --email 'Account email address'
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand --base-url 'Backend base URL; may carry a path prefix'
            cand -H 'Extra request header, `Name: value` (repeatable)'
            cand --header 'Extra request header, `Name: value` (repeatable)'
            cand --cacert 'Also trust the CA certificates in this PEM file (a private CA)'
            cand --request-timeout 'Time allowed for one request'
            cand --password-stdin 'Read the password from standard input instead of asking at the terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'taskwatch;logout'= {
            cand --profile 'Settings profile from the config file (default: its `default_profile`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'taskwatch;help'= {
            cand watch 'Stream new log lines of each task until it stops processing'
            cand wait 'Poll like `watch` but print no log lines: the exit code tells the outcome'
            cand status 'Make one request and print the task''s state and latest lines (exit 0 while processing, 3 when not)'
            cand ls 'List your tasks (tracked profiles; with --project, a project''s reels) and say which are processing now'
            cand serve 'Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates'
            cand demo 'A guided tour: a simulated backend in this process, one task started and watched'
            cand completions 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
            cand man 'Print the man page (roff), or write one page per command into a directory'
            cand config 'Show the resolved settings and where each one came from (the token masked); exit 2 when one is invalid or unreadable'
            cand record 'Record every run of every task that is or starts processing into the archive, until Ctrl-C or SIGTERM (exit 0): the recorder, for a terminal or a service manager'
            cand history 'List the recorded runs, newest first'
            cand logs 'Print a recorded run (default: the task''s latest) as `watch` printed it; -f follows a run another taskwatch is recording'
            cand stats 'Per task: runs, outcomes, durations, and the time each phase takes, from the archive'
            cand prune 'Remove the recorded runs that ended before a time'
            cand login 'Log in with email and password and store the token in the profile'
            cand logout 'Remove the stored token from the profile'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'taskwatch;help;watch'= {
        }
        &'taskwatch;help;wait'= {
        }
        &'taskwatch;help;status'= {
        }
        &'taskwatch;help;ls'= {
        }
        &'taskwatch;help;serve'= {
        }
        &'taskwatch;help;demo'= {
        }
        &'taskwatch;help;completions'= {
        }
        &'taskwatch;help;man'= {
        }
        &'taskwatch;help;config'= {
        }
        &'taskwatch;help;record'= {
        }
        &'taskwatch;help;history'= {
        }
        &'taskwatch;help;logs'= {
        }
        &'taskwatch;help;stats'= {
        }
        &'taskwatch;help;prune'= {
        }
        &'taskwatch;help;login'= {
        }
        &'taskwatch;help;logout'= {
        }
        &'taskwatch;help;help'= {
        }
    ]
    $completions[$command]
}
