//! A started campaign's page (`/campaigns/:id` once it is sending, paused, cancelled or
//! finished): how far sending has got and the controls that steer it (pause, resume, cancel,
//! the sending rate, duplicate): "is it going, how fast, when will it be done, and why is it
//! stuck". Below them come the campaign's performance (`report_charts`) and its delivery log
//! (`delivery_log`), kept in their own files.
//!
//! The server renders the first snapshot (a [`Resource`] of [`get_campaign_progress`]) so the
//! page reads correctly before it is interactive. In the browser the figures then follow the
//! server's event stream at `/api/campaigns/{id}/progress` (one snapshot a second); if the
//! stream fails, the page polls the same snapshot every 2 s instead. Either stops once the
//! campaign is finished or cancelled, since nothing changes after that.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use model::campaigns::{Campaign, CampaignInput, CampaignProgress, CampaignStatus, DeliveryCounts};

use super::delivery_log::DeliveryLog;
use super::report_charts::CampaignAnalytics;
use crate::api::campaigns::{
    CampaignAction, ControlCampaign, DuplicateCampaign, SetCampaignRate, get_campaign, get_campaign_progress,
};
use crate::components::confirm::ConfirmDialog;
use crate::components::toast::{Toasts, use_toasts};
use crate::pages::contacts::thousands;
use crate::pages::deliverability::{AMBER, CARD, GREEN, GREY, PILL, load_error, skeleton};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY};

/// Added to the shared button styles: a control that does not apply right now looks it.
const OFF: &str = "disabled:cursor-not-allowed disabled:opacity-50";
/// The cancel button: outlined like the secondary one, in the destructive tone.
const DANGER: &str = "inline-flex items-center justify-center gap-2 rounded-lg border border-rose-300 bg-white px-4 py-2 text-sm font-medium text-rose-700 shadow-sm hover:bg-rose-50 disabled:cursor-not-allowed disabled:opacity-50 dark:border-rose-500/40 dark:bg-slate-900 dark:text-rose-300 dark:hover:bg-rose-950";
/// The rate field.
const INPUT: &str = "block w-32 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm tabular-nums text-slate-900 shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";
/// Badge tone of a scheduled campaign (as in the list).
const BLUE: &str = "bg-blue-100 text-blue-700 dark:bg-blue-500/10 dark:text-blue-300";
/// Badge tone while sending (as in the list; a livelier green than "finished").
const SENDING_TONE: &str = "bg-green-100 text-green-800 dark:bg-green-500/10 dark:text-green-300";
/// Badge tone once cancelled (as in the list): greyed with a hint of red.
const CANCELLED_TONE: &str = "bg-rose-50 text-slate-500 ring-1 ring-inset ring-rose-200/70 dark:bg-rose-500/5 dark:text-slate-400 dark:ring-rose-500/20";
/// What the skipped figure means (its tooltip).
const SKIPPED_HINT: &str =
    "Suppressed or duplicate addresses: they are never sent to and are not part of the progress bar.";

/// The live sending view of one campaign: progress, speed, estimate and the controls.
#[component]
pub fn CampaignReport(campaign: Campaign) -> impl IntoView {
    let id = campaign.id;
    let title = format!("{} · BillionMail", campaign.input.name);
    let toasts = use_toasts();
    let navigate = use_navigate();
    let rate_text = RwSignal::new(campaign.input.rate_per_minute.max(0).to_string());
    let record = RwSignal::new(campaign);
    // The snapshot the server renders with; `live` (stream, polling, control answers) wins
    // over it once there is one.
    let first = Resource::new(move || id, get_campaign_progress);
    let live = RwSignal::new(None::<CampaignProgress>);
    let status =
        Memo::new(move |_| live.with(|p| p.as_ref().map(|p| p.status)).unwrap_or_else(|| record.with(|c| c.status)));
    let actions = Actions {
        control: ServerAction::new(),
        rate: ServerAction::new(),
        duplicate: ServerAction::new(),
        cancel_open: RwSignal::new(false),
    };

    // Effects run only in the browser: the server never opens a stream or polls.
    Effect::new(move |_| {
        if let Some(Ok(p)) = first.get()
            && live.with_untracked(Option::is_none)
        {
            live.set(Some(p));
        }
    });
    follow(id, live, status, toasts);
    // Finished or cancelled by the engine or another admin: read the campaign again for its
    // end time (a cancel from this page already has the answer).
    Effect::new(move |_| {
        let now = status.get();
        if is_over(now) && record.with_untracked(|c| c.status != now) {
            leptos::task::spawn_local(async move {
                if let Ok(c) = get_campaign(id).await {
                    let _ = record.try_set(c);
                }
            });
        }
    });

    // A control or rate answer is the campaign itself: show its state at once, then fetch
    // fresh figures instead of waiting for the next event (a closed stream sends none).
    let adopt = move |c: Campaign| {
        let base = live.get_untracked().or_else(|| first.get_untracked().and_then(Result::ok));
        if let Some(mut p) = base {
            p.status = c.status;
            p.target_rate_per_minute = c.input.rate_per_minute;
            live.set(Some(p));
        }
        record.set(c);
        refresh(id, live);
    };
    let controlled = actions.control.value();
    Effect::new(move |_| match controlled.get() {
        Some(Ok(c)) => {
            toasts.success(match c.status {
                CampaignStatus::Paused => "Campaign paused. Messages already handed to the relay still go out.",
                CampaignStatus::Sending => "Sending resumed.",
                CampaignStatus::Cancelled => "Campaign cancelled. Recipients not yet sent to will be skipped.",
                _ => "Campaign updated.",
            });
            adopt(c);
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let rated = actions.rate.value();
    Effect::new(move |_| match rated.get() {
        Some(Ok(c)) => {
            let rate = c.input.rate_per_minute;
            toasts.success(if rate > 0 {
                format!("Sending rate set to {}.", rate_label(rate))
            } else {
                "Sending rate set to unlimited.".to_owned()
            });
            rate_text.set(rate.max(0).to_string());
            adopt(c);
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let duplicated = actions.duplicate.value();
    Effect::new(move |_| match duplicated.get() {
        Some(Ok(c)) => {
            toasts.success(format!("Copied as the draft “{}”.", c.input.name));
            navigate(&format!("/campaigns/{}", c.id), Default::default());
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });

    let started = record.with_untracked(|c| c.sent_at);
    let sending = Signal::derive(move || status.get() == CampaignStatus::Sending);
    view! {
        <Title text=title />
        <div class="space-y-6" data-testid="campaign-report" data-status=move || status.get().as_str()>
            <Header record=record status=status />
            <Transition fallback=skeleton>
                {move || first.get().map(|r| match r {
                    Ok(p) => view! { <Figures first=p live=live status=status /> }.into_any(),
                    Err(e) => {
                        let empty = placeholder(&record.get_untracked());
                        view! {
                            <div class="space-y-6">
                                {load_error(&e)}
                                <Figures first=empty live=live status=status />
                            </div>
                        }
                        .into_any()
                    }
                })}
            </Transition>
            <Controls campaign_id=id status=status actions=actions rate_text=rate_text />
            <CampaignAnalytics campaign_id=id started=started sending=sending />
            <DeliveryLog campaign_id=id />
        </div>
        <ConfirmDialog open=actions.cancel_open title="Cancel this campaign?"
            message="Recipients not yet sent to will be skipped. This cannot be undone."
            confirm_label="Cancel campaign"
            on_confirm=Callback::new(move |_| {
                actions.control.dispatch(ControlCampaign { id, action: CampaignAction::Cancel });
            }) />
    }
}

/// The page's server actions and the cancel confirmation, handed to the controls together.
#[derive(Clone, Copy)]
struct Actions {
    control: ServerAction<ControlCampaign>,
    rate: ServerAction<SetCampaignRate>,
    duplicate: ServerAction<DuplicateCampaign>,
    cancel_open: RwSignal<bool>,
}

/// Name, status, subject, sender and the start and end times.
#[component]
fn Header(record: RwSignal<Campaign>, status: Memo<CampaignStatus>) -> impl IntoView {
    view! {
        <div>
            <a href="/campaigns" class="text-sm text-indigo-600 hover:underline dark:text-indigo-300">"← Campaigns"</a>
            <div class="mt-2 flex flex-wrap items-center gap-3">
                <h1 class="break-words text-2xl font-semibold tracking-tight" data-testid="campaign-name">
                    {move || record.with(|c| c.input.name.clone())}
                </h1>
                {move || status_badge(status.get())}
            </div>
            <dl class="mt-2 space-y-0.5 text-sm text-slate-600 dark:text-slate-300">
                <div class="flex gap-1.5">
                    <dt class="text-slate-500 dark:text-slate-400">"Subject:"</dt>
                    <dd class="break-words" data-testid="campaign-subject">{move || record.with(|c| c.input.subject.clone())}</dd>
                </div>
                <div class="flex gap-1.5">
                    <dt class="text-slate-500 dark:text-slate-400">"From:"</dt>
                    <dd class="break-all" data-testid="campaign-from">{move || record.with(|c| from_line(&c.input))}</dd>
                </div>
            </dl>
            <p class="mt-1 text-xs tabular-nums text-slate-500 dark:text-slate-400" data-testid="campaign-dates">
                {move || record.with(dates_line)}
            </p>
        </div>
    }
}

/// The status as a pill, in the campaign list's colours (copied from `list.rs`'s
/// `status_cell`); sending has a pulsing dot.
fn status_badge(status: CampaignStatus) -> AnyView {
    let tone = match status {
        CampaignStatus::Draft => GREY,
        CampaignStatus::Scheduled => BLUE,
        CampaignStatus::Sending => SENDING_TONE,
        CampaignStatus::Paused => AMBER,
        CampaignStatus::Cancelled => CANCELLED_TONE,
        CampaignStatus::Finished => GREEN,
    };
    let dot = (status == CampaignStatus::Sending).then(|| {
        view! {
            <span class="relative flex h-2 w-2" aria-hidden="true">
                <span class="absolute inline-flex h-full w-full animate-ping rounded-full bg-green-400 opacity-75 motion-reduce:animate-none"></span>
                <span class="relative inline-flex h-2 w-2 rounded-full bg-green-500"></span>
            </span>
        }
    });
    view! {
        <span class=format!("campaign-status {PILL} {tone} gap-1.5") data-testid="campaign-status" data-status=status.as_str()>
            {dot}
            {status.label()}
        </span>
    }
    .into_any()
}

/// Everything that follows the progress snapshot: the waiting banner, the end-of-campaign
/// card, the progress bar with its legend and the figures.
#[component]
fn Figures(
    first: CampaignProgress,
    live: RwSignal<Option<CampaignProgress>>,
    status: Memo<CampaignStatus>,
) -> impl IntoView {
    let id = first.id;
    let progress = Signal::derive(move || live.get().filter(|p| p.id == id).unwrap_or_else(|| first.clone()));
    let split = Memo::new(move |_| progress.with(|p| Split::of(&p.counts)));
    let waiting = Memo::new(move |_| progress.with(|p| p.waiting_reason.trim().to_owned()));
    let headline = move || split.with(|s| format!("{} of {} recipients sent", thousands(s.sent), thousands(s.base())));
    let sent_share = move || split.with(|s| percent(s.sent, s.base()));
    let done_now = move || split.with(|s| (share(s.sent + s.failed, s.base()).floor() as i64).to_string());
    let current = Signal::derive(move || rate_label_i64(progress.with(|p| p.rate_per_minute)));
    let target = Signal::derive(move || {
        let t = progress.with(|p| p.target_rate_per_minute);
        if t > 0 { rate_label(t) } else { "Unlimited".to_owned() }
    });
    let eta = Signal::derive(move || eta_text(status.get(), progress.with(|p| p.eta_seconds)));
    let skipped = Signal::derive(move || thousands(split.with(|s| s.skipped)));
    view! {
        <Show when={move || !waiting.with(String::is_empty)}>
            <div role="status" data-testid="waiting-banner"
                class="rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-200">
                <p class="font-medium" data-testid="waiting-reason">{move || sentence(&waiting.get())}</p>
                <p class="mt-1">"Messages stay queued and sending resumes by itself."</p>
            </div>
        </Show>
        <Show when={move || status.get() == CampaignStatus::Finished}>
            <FinishedCard split=split />
        </Show>
        <Show when={move || status.get() == CampaignStatus::Cancelled}>
            <CancelledCard split=split />
        </Show>
        <section class=format!("{CARD} space-y-4") data-testid="progress">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 class="text-base font-semibold tabular-nums" data-testid="progress-headline">{headline}</h2>
                <span class="text-sm tabular-nums text-slate-500 dark:text-slate-400">{sent_share}</span>
            </div>
            <div data-testid="progress-bar" role="progressbar" aria-label="Recipients sent or failed"
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=done_now
                class="flex h-4 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
                {segment("sent", "bg-emerald-500", split, |s| s.sent)}
                {segment("failed", "bg-rose-500", split, |s| s.failed)}
                {segment("deferred", "bg-amber-400", split, |s| s.deferred)}
                {segment("remaining", "bg-slate-400 dark:bg-slate-600", split, |s| s.remaining)}
            </div>
            <ul class="flex flex-wrap gap-x-6 gap-y-2 text-sm">
                {legend_item("Sent", "bg-emerald-500", "count-sent", split, |s| s.sent)}
                {legend_item("Failed", "bg-rose-500", "count-failed", split, |s| s.failed)}
                {legend_item("Deferred (retrying)", "bg-amber-400", "count-deferred", split, |s| s.deferred)}
                {legend_item("Remaining", "bg-slate-400 dark:bg-slate-600", "count-remaining", split, |s| s.remaining)}
            </ul>
        </section>
        <dl class="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            {stat("Current rate", None, "current-rate", current)}
            {stat("Target rate", None, "target-rate", target)}
            {stat("Estimated finish", None, "eta", eta)}
            {stat("Skipped", Some(SKIPPED_HINT), "count-skipped", skipped)}
        </dl>
    }
}

/// One part of the stacked bar, as wide as its share of the recipients that are sent to.
fn segment(name: &'static str, tone: &'static str, split: Memo<Split>, pick: fn(&Split) -> i64) -> impl IntoView {
    view! {
        <div class=format!("h-full transition-[width] duration-500 {tone}") data-segment=name
            style=move || split.with(|s| format!("width: {:.3}%", share(pick(s), s.base())))></div>
    }
}

/// One entry of the bar's legend: colour, name, count and share.
fn legend_item(
    label: &'static str,
    swatch: &'static str,
    testid: &'static str,
    split: Memo<Split>,
    pick: fn(&Split) -> i64,
) -> impl IntoView {
    view! {
        <li class="flex items-center gap-2">
            <span class=format!("h-2.5 w-2.5 shrink-0 rounded-full {swatch}") aria-hidden="true"></span>
            <span class="text-slate-600 dark:text-slate-300">{label}</span>
            <span class="font-semibold tabular-nums text-slate-900 dark:text-white" data-testid=testid>
                {move || thousands(split.with(pick))}
            </span>
            <span class="tabular-nums text-slate-500 dark:text-slate-400">{move || split.with(|s| percent(pick(s), s.base()))}</span>
        </li>
    }
}

/// One figure card; `hint` becomes its tooltip (and is read out to screen readers).
fn stat(label: &'static str, hint: Option<&'static str>, testid: &'static str, value: Signal<String>) -> impl IntoView {
    view! {
        <div class="rounded-lg bg-slate-50 p-3 dark:bg-slate-800/50" title=hint>
            <dt class="flex items-center gap-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
                {label}
                {hint.map(|h| view! {
                    <span class="inline-flex h-4 w-4 cursor-help items-center justify-center rounded-full border border-current text-[10px] normal-case" aria-hidden="true">"?"</span>
                    <span class="sr-only">{h}</span>
                })}
            </dt>
            <dd class="mt-1 text-lg font-semibold tabular-nums text-slate-900 dark:text-white">
                <span data-testid=testid>{move || value.get()}</span>
            </dd>
        </div>
    }
}

/// The green card of a finished campaign: how many got it, how many failed.
#[component]
fn FinishedCard(split: Memo<Split>) -> impl IntoView {
    let sent = move || split.with(|s| format!("Sent to {} {}", thousands(s.sent), recipients(s.sent)));
    let failed = move || {
        split.with(|s| match s.failed {
            0 => "No recipient failed.".to_owned(),
            n => format!("{} {} failed.", thousands(n), recipients(n)),
        })
    };
    let skipped = move || {
        split.with(|s| (s.skipped > 0).then(|| format!("{} skipped as suppressed or duplicate.", thousands(s.skipped))))
    };
    view! {
        <section data-testid="finished-summary"
            class="rounded-xl border border-emerald-200 bg-emerald-50 p-5 shadow-sm dark:border-emerald-500/30 dark:bg-emerald-500/10">
            <h2 class="text-base font-semibold text-emerald-900 dark:text-emerald-100" data-testid="finished-sent">{sent}</h2>
            <p class="mt-1 text-sm text-emerald-800 dark:text-emerald-200">
                <span data-testid="finished-failed">{failed}</span>
                " "
                {skipped}
            </p>
        </section>
    }
}

/// The card of a cancelled campaign: what went out before it was stopped.
#[component]
fn CancelledCard(split: Memo<Split>) -> impl IntoView {
    let sent =
        move || split.with(|s| format!("Cancelled after sending to {} {}.", thousands(s.sent), recipients(s.sent)));
    let failed = move || split.with(|s| (s.failed > 0).then(|| format!("{} failed.", thousands(s.failed))));
    view! {
        <section data-testid="cancelled-summary"
            class="rounded-xl border border-slate-200 bg-slate-50 p-5 shadow-sm dark:border-slate-700 dark:bg-slate-800/50">
            <h2 class="text-base font-semibold text-slate-900 dark:text-white">{sent}</h2>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-300">
                "Recipients not yet sent to were not sent. " {failed}
            </p>
        </section>
    }
}

/// Pause, resume, cancel, the sending rate and duplicate; each enabled only where it applies.
#[component]
fn Controls(
    campaign_id: i64,
    status: Memo<CampaignStatus>,
    actions: Actions,
    rate_text: RwSignal<String>,
) -> impl IntoView {
    let id = campaign_id;
    let toasts = use_toasts();
    let control_pending = actions.control.pending();
    let rate_pending = actions.rate.pending();
    let duplicate_pending = actions.duplicate.pending();
    let busy = move || control_pending.get() || rate_pending.get();
    let pause_off = move || busy() || status.get() != CampaignStatus::Sending;
    let resume_off = move || busy() || status.get() != CampaignStatus::Paused;
    let cancel_off = move || {
        busy() || !matches!(status.get(), CampaignStatus::Sending | CampaignStatus::Paused | CampaignStatus::Scheduled)
    };
    let rate_off = move || busy() || !matches!(status.get(), CampaignStatus::Sending | CampaignStatus::Paused);
    let duplicate_off = move || duplicate_pending.get();
    // A finished or cancelled campaign can only be duplicated: the other controls go away.
    let over = move || matches!(status.get(), CampaignStatus::Finished | CampaignStatus::Cancelled);
    let control = move |action: CampaignAction| {
        actions.control.dispatch(ControlCampaign { id, action });
    };
    let apply_rate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_rate(&rate_text.get_untracked()) {
            Some(rate_per_minute) => {
                actions.rate.dispatch(SetCampaignRate { id, rate_per_minute });
            }
            None => toasts.error("Enter the sending rate as a whole number of messages per minute (0 = unlimited)."),
        }
    };
    view! {
        <section class=format!("{CARD} space-y-4") data-testid="controls">
            <h2 class="text-base font-semibold">"Controls"</h2>
            <div class="flex flex-wrap gap-2">
                <button type="button" data-testid="pause" class=format!("{SECONDARY} {OFF}") class:hidden=over disabled=pause_off
                    on:click=move |_| control(CampaignAction::Pause)>"Pause"</button>
                <button type="button" data-testid="resume" class=format!("{PRIMARY} disabled:cursor-not-allowed") class:hidden=over disabled=resume_off
                    on:click=move |_| control(CampaignAction::Resume)>"Resume"</button>
                <button type="button" data-testid="cancel" class=DANGER class:hidden=over disabled=cancel_off
                    on:click=move |_| actions.cancel_open.set(true)>"Cancel campaign"</button>
                <button type="button" data-testid="duplicate" class=format!("{SECONDARY} {OFF}") disabled=duplicate_off
                    on:click=move |_| {
                        actions.duplicate.dispatch(DuplicateCampaign { id });
                    }>"Duplicate"</button>
            </div>
            <form class="flex flex-wrap items-end gap-3" class:hidden=over on:submit=apply_rate>
                <div class="space-y-1.5">
                    <label for="campaign-rate" class="block text-sm font-medium text-slate-700 dark:text-slate-200">"Sending rate"</label>
                    <div class="flex items-center gap-2">
                        <input id="campaign-rate" name="rate_per_minute" type="number" min="0" step="1" inputmode="numeric"
                            data-testid="rate-input" class=INPUT disabled=rate_off bind:value=rate_text />
                        <span class="text-sm text-slate-500 dark:text-slate-400">"messages per minute (0 = unlimited)"</span>
                    </div>
                </div>
                <button type="submit" data-testid="rate-apply" class=format!("{SECONDARY} {OFF}") disabled=rate_off>"Apply"</button>
            </form>
            <p class="text-xs text-slate-500 dark:text-slate-400" class:hidden=over>
                "A new rate applies from the next message. Duplicate makes a new draft with the same content and audience."
            </p>
        </section>
    }
}

/// The recipients of the bar (everyone but the skipped), in the four parts it shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Split {
    /// Handed to the relay: submitted, delivered, bounced, complained.
    sent: i64,
    failed: i64,
    /// Refused for now by the receiving side; retried later.
    deferred: i64,
    /// Queued or being sent right now.
    remaining: i64,
    /// Suppressed or duplicate: never sent, not in the bar.
    skipped: i64,
}

impl Split {
    fn of(c: &DeliveryCounts) -> Self {
        Self {
            sent: c.sent(),
            failed: c.failed,
            deferred: c.deferred,
            remaining: c.queued + c.sending,
            skipped: c.skipped,
        }
    }

    /// The recipients the bar stands for (its 100 %).
    fn base(&self) -> i64 {
        self.sent + self.failed + self.deferred + self.remaining
    }
}

/// `part` as a percentage of `whole` for widths, 0 when there is nothing.
fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    (part.max(0) as f64 * 100.0 / whole as f64).clamp(0.0, 100.0)
}

/// "37 %", rounded down so nothing reads 100 % before it is; "<1 %" for a sliver.
fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 || part <= 0 {
        return "0 %".to_owned();
    }
    match part.saturating_mul(100) / whole {
        0 => "<1 %".to_owned(),
        p => format!("{} %", p.min(100)),
    }
}

/// "1 234 / min".
fn rate_label(rate: i32) -> String {
    rate_label_i64(i64::from(rate))
}

/// "1 234 / min" for the measured rate.
fn rate_label_i64(rate: i64) -> String {
    format!("{} / min", thousands(rate.max(0)))
}

/// The estimate card: only a sending campaign has one ("about 3 min").
fn eta_text(status: CampaignStatus, eta_seconds: Option<i64>) -> String {
    match (status, eta_seconds) {
        (CampaignStatus::Sending, Some(s)) if s > 0 && s < 60 => "under a minute".to_owned(),
        // Rounded to the nearest minute; `format::duration` rounds down.
        (CampaignStatus::Sending, Some(s)) if s >= 60 => format!("about {}", format::duration(s + 30)),
        _ => "—".to_owned(),
    }
}

/// The rate field as the server takes it: a whole number, 0 or more.
fn parse_rate(text: &str) -> Option<i32> {
    text.trim().parse::<i32>().ok().filter(|r| *r >= 0)
}

/// "Newsletter <news@example.com>", or whichever half is set.
fn from_line(input: &CampaignInput) -> String {
    match (input.from_name.trim(), input.from_email.trim()) {
        ("", email) => email.to_owned(),
        (name, "") => name.to_owned(),
        (name, email) => format!("{name} <{email}>"),
    }
}

/// "Started 2026-03-01 10:00 UTC · Finished 2026-03-01 11:20 UTC" (what is known of it).
fn dates_line(c: &Campaign) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &c.sent_at {
        parts.push(format!("Started {} UTC", format::timestamp(t)));
    }
    if let Some(t) = &c.finished_at {
        let word = if c.status == CampaignStatus::Cancelled { "Cancelled" } else { "Finished" };
        parts.push(format!("{word} {} UTC", format::timestamp(t)));
    }
    parts.join(" · ")
}

/// "recipient" or "recipients".
fn recipients(n: i64) -> &'static str {
    if n == 1 { "recipient" } else { "recipients" }
}

/// The engine's reason with a capital first letter, read as a sentence in the banner.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Stopped for good: no further progress will come.
fn is_over(status: CampaignStatus) -> bool {
    matches!(status, CampaignStatus::Finished | CampaignStatus::Cancelled)
}

/// What the figures show when the first snapshot could not be loaded (until the stream or
/// polling brings one).
fn placeholder(c: &Campaign) -> CampaignProgress {
    CampaignProgress {
        id: c.id,
        status: c.status,
        counts: DeliveryCounts::default(),
        rate_per_minute: 0,
        target_rate_per_minute: c.input.rate_per_minute,
        eta_seconds: None,
        waiting_reason: c.waiting_reason.clone(),
    }
}

/// Fetches one snapshot now (after a control, whose effect the stream may never report).
fn refresh(id: i64, live: RwSignal<Option<CampaignProgress>>) {
    leptos::task::spawn_local(async move {
        if let Ok(p) = get_campaign_progress(id).await {
            let _ = live.try_set(Some(p));
        }
    });
}

/// Keeps `live` current while the campaign can still change (browser only).
fn follow(id: i64, live: RwSignal<Option<CampaignProgress>>, status: Memo<CampaignStatus>, toasts: Toasts) {
    #[cfg(feature = "hydrate")]
    {
        browser::follow(id, live, status, toasts);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, live, status, toasts);
}

/// The event stream and the polling fallback; only the browser build has either.
#[cfg(feature = "hydrate")]
mod browser {
    use std::time::Duration;

    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use model::campaigns::{CampaignProgress, CampaignStatus};

    use super::is_over;
    use crate::api::ApiError;
    use crate::api::campaigns::get_campaign_progress;
    use crate::components::toast::Toasts;

    /// How often the snapshot is fetched when the stream cannot be used.
    const POLL: Duration = Duration::from_secs(2);

    /// An open event stream with its two handlers. They live exactly as long as the stream
    /// (neither is forgotten): dropping this detaches them and closes the connection.
    struct Stream {
        source: web_sys::EventSource,
        _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
        _on_error: Closure<dyn FnMut()>,
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            self.source.set_onmessage(None);
            self.source.set_onerror(None);
            self.source.close();
        }
    }

    /// Opens the stream on mount; switches to polling when it fails; stops both once the
    /// campaign is over and when the page goes away.
    pub(super) fn follow(
        id: i64,
        live: RwSignal<Option<CampaignProgress>>,
        status: Memo<CampaignStatus>,
        toasts: Toasts,
    ) {
        // Thread-local storage is fine here: this module is compiled for the browser only, so
        // the value is never created during server rendering.
        let stream = StoredValue::new_local(None::<Stream>);
        let poller = StoredValue::new(None::<IntervalHandle>);
        let in_flight = StoredValue::new(false);
        // Set when the stream fails; from then on the page polls.
        let broken = RwSignal::new(false);
        // Streams are closed and opened here, never inside their own handlers (which only
        // set signals), so a handler is never dropped while it runs.
        Effect::new(move |_| {
            let over = is_over(status.get());
            let polling = broken.get();
            if over || polling {
                close(stream);
            }
            if over {
                stop(poller);
            } else if polling {
                if poller.try_with_value(Option::is_none) == Some(true) {
                    let poll = move || {
                        if in_flight.try_get_value() != Some(false) {
                            return;
                        }
                        in_flight.set_value(true);
                        leptos::task::spawn_local(async move {
                            match get_campaign_progress(id).await {
                                Ok(p) => {
                                    let _ = live.try_set(Some(p));
                                }
                                // An ended session sends the admin to sign in; anything else
                                // (a restart, a blip) waits for the next poll.
                                Err(e @ ApiError::Unauthorized) => toasts.report(&e),
                                Err(_) => {}
                            }
                            let _ = in_flight.try_set_value(false);
                        });
                    };
                    poller.set_value(set_interval_with_handle(poll, POLL).ok());
                }
            } else if stream.try_with_value(Option::is_none) == Some(true) {
                match open(id, live, broken) {
                    Some(s) => stream.set_value(Some(s)),
                    None => broken.set(true),
                }
            }
        });
        on_cleanup(move || {
            close(stream);
            stop(poller);
        });
    }

    /// Connects to `/api/campaigns/{id}/progress`; `None` when the browser refuses to.
    fn open(id: i64, live: RwSignal<Option<CampaignProgress>>, broken: RwSignal<bool>) -> Option<Stream> {
        let source = web_sys::EventSource::new(&format!("/api/campaigns/{id}/progress")).ok()?;
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            // An unreadable event is skipped: the next one, a second later, replaces it.
            if let Ok(p) = serde_json::from_str::<CampaignProgress>(&text)
                && p.id == id
            {
                let _ = live.try_set(Some(p));
            }
        });
        let on_error = Closure::<dyn FnMut()>::new(move || {
            // The server ends the stream after the final event of a finished or cancelled
            // campaign: that is the end, not a failure.
            let over = live.try_with_untracked(|p| p.as_ref().is_some_and(|p| is_over(p.status))).unwrap_or(true);
            if !over {
                let _ = broken.try_set(true);
            }
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Stream { source, _on_message: on_message, _on_error: on_error })
    }

    /// Closes the stream if one is open (taken out first, so it is dropped outside the store).
    fn close(stream: StoredValue<Option<Stream>, LocalStorage>) {
        let open = stream.try_update_value(Option::take).flatten();
        drop(open);
    }

    /// Stops polling if it runs.
    fn stop(poller: StoredValue<Option<IntervalHandle>>) {
        if let Some(Some(handle)) = poller.try_update_value(Option::take) {
            handle.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_leaves_out_skipped_recipients() {
        let counts = DeliveryCounts {
            queued: 3,
            sending: 1,
            submitted: 4,
            deferred: 2,
            failed: 1,
            skipped: 5,
            delivered: 3,
            bounced: 1,
            complained: 1,
        };
        let s = Split::of(&counts);
        assert_eq!((s.sent, s.failed, s.deferred, s.remaining, s.skipped), (9, 1, 2, 4, 5));
        assert_eq!(s.base(), counts.total() - counts.skipped);
    }

    #[test]
    fn percentages_never_overstate_progress() {
        assert_eq!(percent(0, 0), "0 %");
        assert_eq!(percent(1, 1000), "<1 %");
        assert_eq!(percent(999, 1000), "99 %");
        assert_eq!(percent(1000, 1000), "100 %");
        assert_eq!(share(5, 0), 0.0);
        assert_eq!(share(1, 4), 25.0);
    }

    #[test]
    fn estimates_only_while_sending() {
        assert_eq!(eta_text(CampaignStatus::Sending, Some(170)), "about 3 min");
        assert_eq!(eta_text(CampaignStatus::Sending, Some(20)), "under a minute");
        assert_eq!(eta_text(CampaignStatus::Sending, None), "—");
        assert_eq!(eta_text(CampaignStatus::Paused, Some(600)), "—");
        assert_eq!(eta_text(CampaignStatus::Sending, Some(0)), "—");
    }

    #[test]
    fn rates_are_whole_non_negative_numbers() {
        assert_eq!(parse_rate(" 120 "), Some(120));
        assert_eq!(parse_rate("0"), Some(0));
        assert_eq!(parse_rate("-5"), None);
        assert_eq!(parse_rate("1.5"), None);
        assert_eq!(parse_rate(""), None);
        assert_eq!(rate_label(1234), format!("1{}234 / min", '\u{a0}'));
    }

    #[test]
    fn sender_and_reason_read_naturally() {
        let mut input = CampaignInput { from_email: "news@example.com".into(), ..Default::default() };
        assert_eq!(from_line(&input), "news@example.com");
        input.from_name = "Newsletter".into();
        assert_eq!(from_line(&input), "Newsletter <news@example.com>");
        assert_eq!(sentence("waiting for relay: cannot connect"), "Waiting for relay: cannot connect");
        assert_eq!(sentence(""), "");
    }
}
