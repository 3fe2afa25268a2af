//! What recipients do with a campaign after it was sent: opens, clicks, web views and
//! unsubscribes arriving at the public tracking endpoints.
//!
//! Opens, clicks and web views are fire-and-forget for the recipient, so they go through an
//! in-memory channel and are written in batches ([`EventSink`], [`EventWriter`]), each event
//! classified as a person's or a machine's ([`machine`]). Unsubscribes are written at once
//! ([`unsubscribe`]), because a promise to stop mailing must survive a crash. Click targets
//! come only from the campaign's stored links ([`LinkCache`]).

pub mod campaign_events;
pub mod error;
mod event_batch;
pub mod event_sink;
pub mod links;
pub mod machine;
pub mod unsubscribe;
pub mod web_view;

pub use error::TrackingError;
pub use event_sink::{EventKind, EventReceiver, EventSink, EventWriter, SinkStats, TrackedEvent};
pub use links::LinkCache;
pub use unsubscribe::{
    ListChoice, SubscriptionChoices, UnsubscribeOutcome, UnsubscribeScope, UnsubscribeSource, subscription_choices,
    unsubscribe,
};
pub use web_view::render_web_view;
