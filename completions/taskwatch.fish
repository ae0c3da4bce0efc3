# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_taskwatch_global_optspecs
    string join \n h/help V/version
end

function __fish_taskwatch_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_taskwatch_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_taskwatch_using_subcommand
    set -l cmd (__fish_taskwatch_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c taskwatch -n "__fish_taskwatch_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -s V -l version -d 'Print version'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "watch" -d 'Stream new log lines of each task until it stops processing'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "wait" -d 'Poll like `watch` but print no log lines: the exit code tells the outcome'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "status" -d 'Make one request and print the task\'s state and latest lines (exit 0 while processing, 3 when not)'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "ls" -d 'List your tasks (tracked profiles; with --project, a project\'s reels) and say which are processing now'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "list" -d 'List your tasks (tracked profiles; with --project, a project\'s reels) and say which are processing now'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "serve" -d 'Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "demo" -d 'A guided tour: a simulated backend in this process, one task started and watched'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "man" -d 'Print the man page (roff), or write one page per command into a directory'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "config" -d 'Show the resolved settings and where each one came from (the token masked); exit 2 when one is invalid or unreadable'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "record" -d 'Record every run of every task that is or starts processing into the archive, until Ctrl-C or SIGTERM (exit 0): the recorder, for a terminal or a service manager'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "history" -d 'List the recorded runs, newest first'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "logs" -d 'Print a recorded run (default: the task\'s latest) as `watch` printed it; -f follows a run another taskwatch is recording'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "stats" -d 'Per task: runs, outcomes, durations, and the time each phase takes, from the archive'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "prune" -d 'Remove the recorded runs that ended before a time'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "login" -d 'Log in with email and password and store the token in the profile'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "logout" -d 'Remove the stored token from the profile'
complete -c taskwatch -n "__fish_taskwatch_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l discover-interval -d 'With --all, time between looks for tasks that started (a listing and a probe of each idle task)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l probe-rate -d 'With --all, probes a second of the tasks that are not due by their schedule (paused, or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due tasks, and those without a schedule, are probed every round. 0 probes none of the others' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l project -d 'With --all, also follow this project\'s reel tasks (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -s i -l interval -d 'Time between polls of one task (at least 100ms)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l min-interval -d 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -s n -l logs-count -d 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task\'s pace' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l give-up-after -d 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l timeout -d 'Give up while the task is still processing (exit 124)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l start-timeout -d 'Keep polling this long for a task that is not processing yet (just triggered)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l fail-on -d 'A log line matching this regex marks the task failed (exit 1); repeatable' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l from-index -d 'Treat lines before this index as already shown (resume an earlier run)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l trigger -d 'Start each task first with its force-scrape endpoint (409, already running, is fine); then wait up to --start-timeout (default 60s) for it to appear' -r -f -a "profile\t'A tracked profile\'s task'
reel\t'A tracked reel\'s task'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l progress -d 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it ("Processing post 3/12")' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l ci -d 'Follow a CI system\'s log conventions (profile key `ci`)' -r -f -a "auto\t'GITHUB_ACTIONS=true: github; GITLAB_CI=true: gitlab; else none'
github\t'GitHub Actions: groups, annotations, the step summary'
gitlab\t'GitLab CI: collapsible sections'
none\t'Neither'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l junit -d 'Write a JUnit XML report here: a test case per task (written also when interrupted)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l heartbeat -d 'When stderr is not a terminal and no lines are printed, say every D that the tasks still run (0: never)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l on-end -d 'After each task ends, run this with `sh -c`, the facts in TASKWATCH_* variables (profile key `on_end`)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l on-end-timeout -d 'Kill an --on-end command still running after this long' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l archive-db -d 'The archive\'s database file [default: the platform data directory\'s taskwatch/archive.sqlite3, or the profile\'s `archive_db`]' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l api-path -d 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l token -d 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l token-file -d 'Read the bearer token from this file (surrounding whitespace is ignored)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l tail -d 'At start, show at most the last N lines of the history the first response holds' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l include -d 'Show only lines matching this regex; repeatable (any may match). Hidden lines still count for --fail-on, progress and the exit code' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l exclude -d 'Hide lines matching this regex; repeatable; wins over --include' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l highlight -d 'In human output, show what this regex matches bold and inverse; repeatable' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l all -d 'Follow every task that is processing: `watch` keeps looking for tasks that start until Ctrl-C; `wait` waits for those processing now'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l notify -d 'When a task ends, ring the terminal bell and post a desktop notification (profile key `notify`)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l archive -d 'Record every followed run in the archive (every line, filters or not; the token masked). Read it back with `history`, `logs` and `stats`'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l no-archive -d 'Do not record, whatever the profile\'s `archive` says'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -s q -l quiet -d 'No summary, no progress: only log lines (and errors)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -l relative -d 'In human output, show time since the task started (`+01:23`) instead of the clock'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l discover-interval -d 'With --all, time between looks for tasks that started (a listing and a probe of each idle task)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l probe-rate -d 'With --all, probes a second of the tasks that are not due by their schedule (paused, or next scrape later): a run started by hand is found within tasks ÷ rate seconds. Due tasks, and those without a schedule, are probed every round. 0 probes none of the others' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l project -d 'With --all, also follow this project\'s reel tasks (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -s i -l interval -d 'Time between polls of one task (at least 100ms)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l min-interval -d 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -s n -l logs-count -d 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task\'s pace' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l give-up-after -d 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l timeout -d 'Give up while the task is still processing (exit 124)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l start-timeout -d 'Keep polling this long for a task that is not processing yet (just triggered)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l fail-on -d 'A log line matching this regex marks the task failed (exit 1); repeatable' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l from-index -d 'Treat lines before this index as already shown (resume an earlier run)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l trigger -d 'Start each task first with its force-scrape endpoint (409, already running, is fine); then wait up to --start-timeout (default 60s) for it to appear' -r -f -a "profile\t'A tracked profile\'s task'
reel\t'A tracked reel\'s task'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l progress -d 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it ("Processing post 3/12")' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l ci -d 'Follow a CI system\'s log conventions (profile key `ci`)' -r -f -a "auto\t'GITHUB_ACTIONS=true: github; GITLAB_CI=true: gitlab; else none'
github\t'GitHub Actions: groups, annotations, the step summary'
gitlab\t'GitLab CI: collapsible sections'
none\t'Neither'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l junit -d 'Write a JUnit XML report here: a test case per task (written also when interrupted)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l heartbeat -d 'When stderr is not a terminal and no lines are printed, say every D that the tasks still run (0: never)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l on-end -d 'After each task ends, run this with `sh -c`, the facts in TASKWATCH_* variables (profile key `on_end`)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l on-end-timeout -d 'Kill an --on-end command still running after this long' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l archive-db -d 'The archive\'s database file [default: the platform data directory\'s taskwatch/archive.sqlite3, or the profile\'s `archive_db`]' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l api-path -d 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l token -d 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l token-file -d 'Read the bearer token from this file (surrounding whitespace is ignored)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l all -d 'Follow every task that is processing: `watch` keeps looking for tasks that start until Ctrl-C; `wait` waits for those processing now'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l notify -d 'When a task ends, ring the terminal bell and post a desktop notification (profile key `notify`)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l archive -d 'Record every followed run in the archive (every line, filters or not; the token masked). Read it back with `history`, `logs` and `stats`'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l no-archive -d 'Do not record, whatever the profile\'s `archive` says'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l follow-new -d 'With --all, also follow the tasks that start while waiting (`watch --all` always does)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -s q -l quiet -d 'No summary, no progress: only log lines (and errors)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -s n -l logs-count -d 'How many of the latest lines to show (1 to 100)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l progress -d 'How progress is read from lines: a regex with groups done and total (named, or the first two unnamed), or `none`. Default: `N/M` and the words before it' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l api-path -d 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l token -d 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l token-file -d 'Read the bearer token from this file (surrounding whitespace is ignored)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l project -d 'Also list this project\'s reel tasks (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l api-path -d 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l token -d 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l token-file -d 'Read the bearer token from this file (surrounding whitespace is ignored)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l processing -d 'Show only the tasks that are processing now'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l project -d 'Also list this project\'s reel tasks (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l api-path -d 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l token -d 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l token-file -d 'Read the bearer token from this file (surrounding whitespace is ignored)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l processing -d 'Show only the tasks that are processing now'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l port -d 'Port to listen on (0 picks a free one)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l bind -d 'Address to listen on' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l api -d 'Server version to imitate: 6 (latest_event only), 7 (task_status path) or 8 (profile_tracking_task_status path)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l scenario -d 'Behaviour of simulated tasks and of the server' -r -f -a "normal\t'A task that runs and finishes'
failing\t'An error line, then the end'
burst\t'Hundreds of lines at once, past the 100-line window'
trimmed\t'The server keeps only its last lines (--keep), so its total stops growing'
restart\t'Halfway through, the task\'s log starts over'
flaky\t'A share of status answers are 500 JSON, 502 HTML, truncated JSON or 429 with Retry-After'
slow\t'A share of status answers take longer than a typical request timeout (--slow-delay)'
demo\t'The guided tour: a burst, a multi-line message and one with terminal escapes'
steady\t'`--lines` lines at `--rate` lines a second, for measurements'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l task -d 'Start a (profile) task with this id at launch (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l duration -d 'How long a simulated task runs' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l keep -d 'Lines the server keeps in the `trimmed` scenario' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l slow-delay -d 'How long a slow answer takes in the `slow` scenario' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l fault-percent -d 'Share of status answers that fail (`flaky`) or are slow (`slow`), in percent' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l seed -d 'Seed for the simulated content and faults (random by default)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l user -d 'An account for `POST /codvid-ai/auth/login` (repeatable); with one, every ig-tracking route wants a token that login handed out (or --token\'s)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l profiles -d 'Tracked profiles the listing holds (their tasks idle until started), and a project of a few reel tasks' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l schedule -d 'With --profiles, the schedule: the profiles take turns this often (in a random order), so one scheduled run starts every DURATION and each profile is due again after profiles × DURATION. The listing\'s next_scrape_due says when; last_scraped moves when a run ends. 0s: no schedule, every profile due a day after its last scrape' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l forced-runs -d 'With --profiles, start a run by hand on a random idle profile this often, outside its schedule: its next_scrape_due stays, its last_scraped moves when the run ends (0s: never)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l token-ttl -d 'How long a token from login stays valid; after that every route answers 401, as the backend does (rehearse an expiry mid-task with e.g. `--token-ttl 30s`)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l lines -d 'Lines a `steady` task writes' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l rate -d 'Lines a second a `steady` task writes' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -l token -d 'Every ig-tracking route then answers 401 without `Authorization: Bearer TOKEN` (never taken from a profile)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -l scenario -d 'Behaviour of the simulated task' -r -f -a "normal\t'A task that runs and finishes'
failing\t'An error line, then the end'
burst\t'Hundreds of lines at once, past the 100-line window'
trimmed\t'The server keeps only its last lines (--keep), so its total stops growing'
restart\t'Halfway through, the task\'s log starts over'
flaky\t'A share of status answers are 500 JSON, 502 HTML, truncated JSON or 429 with Retry-After'
slow\t'A share of status answers take longer than a typical request timeout (--slow-delay)'
demo\t'The guided tour: a burst, a multi-line message and one with terminal escapes'
steady\t'`--lines` lines at `--rate` lines a second, for measurements'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -l duration -d 'How long the simulated task runs' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -l all -d 'Tracked profiles that start on their own, followed with `watch --all`'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -s q -l quiet -d 'No summary, no progress: only log lines (and errors)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -l relative -d 'In human output, show time since the task started (`+01:23`) instead of the clock'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand completions" -s h -l help -d 'Print help'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand man" -l dir -d 'Write taskwatch.1 and one page per command (taskwatch-watch.1, …) into this directory (created if missing) instead of printing the main page' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand man" -s h -l help -d 'Print help'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -l api-path -d 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -l token -d 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -l token-file -d 'Read the bearer token from this file (surrounding whitespace is ignored)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand config" -s h -l help -d 'Print help'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l project -d 'Also record this project\'s reel tasks (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l discover-interval -d 'Time between looks for tasks that started' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l probe-rate -d 'Probes a second of the tasks that are not due by their schedule (see `watch --all`)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -s i -l interval -d 'Time between polls of one task (at least 100ms)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l min-interval -d 'Shortest time between polls when lines come faster than a window holds (at least 100ms; equal to --interval turns catch-up off)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -s n -l logs-count -d 'Lines to ask for per poll: 1 to 100, or `auto` to adapt to the task\'s pace' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l give-up-after -d 'End with exit 5 after failing requests for this long in a row (`record` stops following that task and goes on)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l archive-db -d 'The archive\'s database file [default: the platform data directory\'s taskwatch/archive.sqlite3, or the profile\'s `archive_db`]' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l api-path -d 'Status path template containing `{task_id}`, for deployments that route differently. Default: the Update 7 path, falling back to the Update 8 path on 404 (and back)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l token -d 'Bearer token. Visible to other users in `ps`: prefer TASKWATCH_TOKEN or --token-file' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -l token-file -d 'Read the bearer token from this file (surrounding whitespace is ignored)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -s v -l verbose -d 'Say each run that starts and ends (-vv: request-level detail)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand record" -s h -l help -d 'Print help'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -l since -d 'Only runs started within this long (`24h`, `7d`)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -l limit -d 'At most this many runs (the newest)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -l archive-db -d 'The archive\'s database file [default: the platform data directory\'s taskwatch/archive.sqlite3, or the profile\'s `archive_db`]' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -l failed -d 'Only failed runs'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l run -d 'Which of the task\'s runs: 1 is the oldest recorded, -1 the latest (the default)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l run-id -d 'A run by its archive id (`history -o json`\'s `run_id`)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l fail-on -d 'A log line matching this regex marks the run failed (exit 1); repeatable' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l include -d 'Show only lines matching this regex; repeatable (any may match). Hidden lines still count for --fail-on, progress and the exit code' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l exclude -d 'Hide lines matching this regex; repeatable; wins over --include' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l highlight -d 'In human output, show what this regex matches bold and inverse; repeatable' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l junit -d 'Write a JUnit XML report of the run here, as `watch --junit` would have' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l archive-db -d 'The archive\'s database file [default: the platform data directory\'s taskwatch/archive.sqlite3, or the profile\'s `archive_db`]' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -s f -l follow -d 'Keep printing the run\'s lines as another taskwatch records them, until it ends; no request reaches the backend'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -s q -l quiet -d 'No summary, no progress: only log lines (and errors)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -l relative -d 'In human output, show time since the task started (`+01:23`) instead of the clock'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -l last -d 'Only each task\'s last N runs' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -l archive-db -d 'The archive\'s database file [default: the platform data directory\'s taskwatch/archive.sqlite3, or the profile\'s `archive_db`]' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -s o -l output -d 'Output format [default: human on a terminal, plain otherwise]' -r -f -a "human\t'Local HH:MM:SS and the message; colour and a status line on a terminal'
plain\t'RFC 3339 timestamp and the message, no colour'
json\t'One JSON object per line (NDJSON)'"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -l utc -d 'Show times in UTC instead of local time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -s v -l verbose -d 'Request-level detail on stderr (-vv: also response excerpts)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand prune" -l older-than -d 'Remove the runs that ended longer ago than this (`30d`, `12h`)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand prune" -l archive-db -d 'The archive\'s database file [default: the platform data directory\'s taskwatch/archive.sqlite3, or the profile\'s `archive_db`]' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand prune" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand prune" -s h -l help -d 'Print help'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -l email -d 'Account email address' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -l base-url -d 'Backend base URL; may carry a path prefix' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -s H -l header -d 'Extra request header, `Name: value` (repeatable)' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -l cacert -d 'Also trust the CA certificates in this PEM file (a private CA)' -r -F
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -l request-timeout -d 'Time allowed for one request' -r
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -l password-stdin -d 'Read the password from standard input instead of asking at the terminal'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand login" -s h -l help -d 'Print help'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logout" -l profile -d 'Settings profile from the config file (default: its `default_profile`)' -r -f -a "(_TASKWATCH_COMPLETE=profiles taskwatch 2>/dev/null)"
complete -c taskwatch -n "__fish_taskwatch_using_subcommand logout" -s h -l help -d 'Print help'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "watch" -d 'Stream new log lines of each task until it stops processing'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "wait" -d 'Poll like `watch` but print no log lines: the exit code tells the outcome'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "status" -d 'Make one request and print the task\'s state and latest lines (exit 0 while processing, 3 when not)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "ls" -d 'List your tasks (tracked profiles; with --project, a project\'s reels) and say which are processing now'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "serve" -d 'Run a local stand-in for the backend, for trying taskwatch and rehearsing CI gates'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "demo" -d 'A guided tour: a simulated backend in this process, one task started and watched'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "man" -d 'Print the man page (roff), or write one page per command into a directory'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "config" -d 'Show the resolved settings and where each one came from (the token masked); exit 2 when one is invalid or unreadable'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "record" -d 'Record every run of every task that is or starts processing into the archive, until Ctrl-C or SIGTERM (exit 0): the recorder, for a terminal or a service manager'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "history" -d 'List the recorded runs, newest first'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "logs" -d 'Print a recorded run (default: the task\'s latest) as `watch` printed it; -f follows a run another taskwatch is recording'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "stats" -d 'Per task: runs, outcomes, durations, and the time each phase takes, from the archive'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "prune" -d 'Remove the recorded runs that ended before a time'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "login" -d 'Log in with email and password and store the token in the profile'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "logout" -d 'Remove the stored token from the profile'
complete -c taskwatch -n "__fish_taskwatch_using_subcommand help; and not __fish_seen_subcommand_from watch wait status ls serve demo completions man config record history logs stats prune login logout help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
