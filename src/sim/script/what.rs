//! What a simulated line says: its kind and numbers, worded as each server version sends it
//! (an Update 6 event with fields, or an Update 7/8 message).

use serde_json::{json, Value};

use super::Kind;

/// What a line says, with its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum What {
    Started,
    FetchingProfile,
    ProfileFetched { followers: u32, posts: u32 },
    ProcessingPost { post: u32, of: u32 },
    FetchedComments { count: u32, post: u32 },
    CommentBatch { batch: u32, of: u32 },
    Sentiment { comments: u32 },
    SentimentSummary { positive: u32, negative: u32 },
    Saving,
    Completed { seconds: u32 },
    Error { http_status: u32 },
    Failed,
    Restarting,
    Coloured,
    FetchingReel,
    ProcessingReels { count: u32, batch: u32 },
    ReelStats { views: u32, likes: u32 },
}

impl What {
    /// The line as an Update 6 event: its name and its fields.
    pub(super) fn event(&self) -> (&'static str, Vec<(String, Value)>) {
        let f = |k: &str, v: u32| (k.to_string(), json!(v));
        match *self {
            What::Started => ("task_started", vec![]),
            What::FetchingProfile => ("fetching_profile", vec![]),
            What::ProfileFetched { followers, posts } => (
                "profile_fetched",
                vec![f("followers", followers), f("posts", posts)],
            ),
            What::ProcessingPost { post, of } => {
                ("processing_post", vec![f("index", post), f("total", of)])
            }
            What::FetchedComments { count, post } => {
                ("fetched_comments", vec![f("count", count), f("post", post)])
            }
            What::CommentBatch { batch, of } => {
                ("comment_batch", vec![f("batch", batch), f("total", of)])
            }
            What::Sentiment { comments } => ("sentiment_analysis", vec![f("count", comments)]),
            What::SentimentSummary { positive, negative } => (
                "sentiment_summary",
                vec![f("positive", positive), f("negative", negative)],
            ),
            What::Saving => ("saving_results", vec![]),
            What::Completed { seconds } => ("task_completed", vec![f("seconds", seconds)]),
            What::Error { http_status } => ("error", vec![f("status", http_status)]),
            What::Failed => ("task_failed", vec![]),
            What::Restarting => ("task_restarted", vec![]),
            What::Coloured => ("raw_output", vec![]),
            What::FetchingReel => ("fetching_reels", vec![]),
            What::ProcessingReels { count, batch } => (
                "processing_reels",
                vec![f("count", count), f("batch", batch)],
            ),
            What::ReelStats { views, likes } => {
                ("reel_stats", vec![f("views", views), f("likes", likes)])
            }
        }
    }

    /// The line as Update 7 and 8 write it: a message (`h`: the task's handle).
    pub(super) fn message(&self, kind: Kind, h: &str) -> String {
        match *self {
            What::Started => match kind {
                Kind::Profile => format!("Starting profile tracking task for @{h}"),
                Kind::Reel => format!("Starting reel tracking task for @{h}"),
            },
            What::FetchingProfile => format!("Fetching profile data for @{h}"),
            What::ProfileFetched { followers, posts } => {
                format!("Profile fetched: {followers} followers, {posts} recent posts to process")
            }
            What::ProcessingPost { post, of } => format!("Processing post {post}/{of}"),
            What::FetchedComments { count, post } => {
                format!("Fetched {count} comments for post {post}")
            }
            What::CommentBatch { batch, of } => format!("Stored comment batch {batch}/{of}"),
            What::Sentiment { comments } => {
                format!("Running sentiment analysis on {comments} comments")
            }
            What::SentimentSummary { positive, negative } => format!(
                "Sentiment summary:\n  positive {positive}%\n  neutral  {}%\n  negative {negative}%",
                100u32.saturating_sub(positive + negative)
            ),
            What::Saving => "Saving results to the database".into(),
            What::Completed { seconds } => format!("Task completed in {seconds}s"),
            What::Error { http_status } => format!(
                "ERROR: Instagram answered HTTP {http_status} while fetching comments; giving up"
            ),
            What::Failed => "Task failed".into(),
            What::Restarting => "Worker restarted: running the task again from the start".into(),
            What::Coloured => "scraper said: \u{1b}[32mOK\u{1b}[0m \u{1b}]0;pwned\u{7}(terminal escapes are shown, not obeyed)".into(),
            What::FetchingReel => format!("Fetching reels of @{h}"),
            What::ProcessingReels { count, batch } => {
                format!("Processing {count} reels (batch {batch})")
            }
            What::ReelStats { views, likes } => format!("Reel stats: {views} views, {likes} likes"),
        }
    }
}
