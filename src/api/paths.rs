//! The backend's paths, shared by the client and the simulator. `{task_id}` is replaced by the
//! id as one encoded path segment (it is axum's capture syntax too).

/// Update 7's status path.
pub const UPDATE7_PATH: &str = "/codvid-ai/ig-tracking/task_status/{task_id}";
/// Update 8 renamed it.
pub const UPDATE8_PATH: &str = "/codvid-ai/ig-tracking/profile_tracking_task_status/{task_id}";
/// Force-scrape endpoints that start a task.
pub const TRIGGER_PROFILE_UPDATE7: &str = "/codvid-ai/ig-tracking/force_scrape/{task_id}";
pub const TRIGGER_PROFILE_UPDATE8: &str =
    "/codvid-ai/ig-tracking/force_scrape_profile_tracking_task/{task_id}";
pub const TRIGGER_REEL: &str = "/codvid-ai/ig-tracking/force_scrape_reel/{task_id}";
/// Email and password login.
pub const LOGIN_PATH: &str = "/codvid-ai/auth/login";
pub(super) const AUTO_PATHS: [(&str, &str); 2] =
    [("Update 7", UPDATE7_PATH), ("Update 8", UPDATE8_PATH)];

/// Update 8's listing of the user's tracked profiles, and one of them.
pub const LIST_UPDATE8: &str = "/codvid-ai/ig-tracking/get_profile_tracking_tasks";
pub const DETAIL_UPDATE8: &str = "/codvid-ai/ig-tracking/get_profile_tracking_task/{task_id}";
/// Update 3 to 7's listing, and one of them.
pub const LIST_UPDATE7: &str = "/codvid-ai/ig-tracking/get_tasks";
pub const DETAIL_UPDATE7: &str = "/codvid-ai/ig-tracking/get_task/{task_id}";
/// A project's reel tasks: POST (the demo client) or GET with the same body (the docs).
pub const PROJECT_REEL_TASKS: &str = "/codvid-ai/ig-tracking/get_project_reel_tasks";
/// The user's project names (POST).
pub const PROJECT_LIST: &str = "/codvid-ai/project/get-project-list";
/// The listings in the order they are tried; the one that answers is kept for the run.
pub(super) const LIST_PATHS: [(&str, &str); 2] =
    [("Update 8", LIST_UPDATE8), ("Update 3-7", LIST_UPDATE7)];
