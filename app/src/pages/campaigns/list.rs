//! The campaign list (`/campaigns`): every newsletter and announcement in one table, with
//! where each one is in its life (draft, scheduled, sending, finished…), how many people it
//! goes to and how far the send has got. It is the page people come back to while a send is
//! running, so it refreshes itself every few seconds until nothing is sending any more.
//! Filter and sort live in the URL query, so a reload or a shared link shows the same view.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use model::SortDirection;
use model::campaigns::{CampaignStatus, CampaignSummary, DeliveryCounts};

use crate::api::ApiError;
use crate::api::campaigns::{DeleteCampaign, DuplicateCampaign, list_campaigns};
use crate::components::clock::BrowserClock;
use crate::components::confirm::ConfirmDialog;
use crate::components::icons;
use crate::components::toast::use_toasts;
use crate::components::url_filter::{encode_query, query_value};
use crate::pages::contacts::thousands;
use crate::pages::deliverability::{AMBER, GREEN, GREY, PILL, TABLE, TABLE_FRAME, TBODY, TD, TH, TH_RIGHT, load_error};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, ROW_DANGER, SECONDARY};

/// Where this page lives; the filter and sort links point back to it.
const PAGE_PATH: &str = "/campaigns";
/// How often the list is reloaded while a campaign is sending.
const POLL: Duration = Duration::from_secs(3);

/// Pill tone of a scheduled campaign: waiting for its time.
const BLUE: &str = "bg-blue-100 text-blue-700 dark:bg-blue-500/10 dark:text-blue-300";
/// Pill tone of a campaign that is going out right now.
const SENDING: &str = "bg-green-100 text-green-800 dark:bg-green-500/10 dark:text-green-300";
/// Pill tone of a cancelled campaign: stopped for good, greyed with a hint of red.
const CANCELLED: &str = "bg-rose-50 text-slate-500 ring-1 ring-inset ring-rose-200/70 dark:bg-rose-500/5 dark:text-slate-400 dark:ring-rose-500/20";

/// A status tab.
const TAB: &str = "inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white";
/// The selected status tab.
const TAB_ACTIVE: &str = "inline-flex items-center gap-1.5 rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-900 shadow-sm dark:bg-slate-900 dark:text-white";
/// The count inside a status tab.
const TAB_COUNT: &str =
    "rounded-full bg-slate-200/70 px-1.5 text-xs tabular-nums text-slate-500 dark:bg-slate-700 dark:text-slate-300";
/// The count inside the selected status tab.
const TAB_COUNT_ACTIVE: &str =
    "rounded-full bg-indigo-50 px-1.5 text-xs tabular-nums text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300";

/// Which campaigns the table shows: the tabs above it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum StatusFilter {
    #[default]
    All,
    Drafts,
    Scheduled,
    /// Sending and paused: started, not finished.
    Sending,
    /// Finished and cancelled: nothing more will be sent.
    Finished,
}

impl StatusFilter {
    /// The tabs, in the order they are shown.
    const TABS: [Self; 5] = [Self::All, Self::Drafts, Self::Scheduled, Self::Sending, Self::Finished];

    /// The `status` query value (and test id suffix).
    fn key(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Drafts => "draft",
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Finished => "finished",
        }
    }

    /// The query value back; anything unknown shows every campaign.
    fn parse(s: &str) -> Self {
        Self::TABS.into_iter().find(|f| f.key() == s).unwrap_or_default()
    }

    /// The tab's label.
    fn label(self) -> &'static str {
        match self {
            Self::All => "All",
            Self::Drafts => "Drafts",
            Self::Scheduled => "Scheduled",
            Self::Sending => "Sending",
            Self::Finished => "Finished",
        }
    }

    /// A tooltip for the tabs that take in more than their label says.
    fn title(self) -> Option<&'static str> {
        match self {
            Self::Sending => Some("Sending and paused campaigns"),
            Self::Finished => Some("Finished and cancelled campaigns"),
            _ => None,
        }
    }

    /// Whether a campaign in `status` belongs under this tab.
    fn matches(self, status: CampaignStatus) -> bool {
        match self {
            Self::All => true,
            Self::Drafts => status == CampaignStatus::Draft,
            Self::Scheduled => status == CampaignStatus::Scheduled,
            Self::Sending => matches!(status, CampaignStatus::Sending | CampaignStatus::Paused),
            Self::Finished => matches!(status, CampaignStatus::Finished | CampaignStatus::Cancelled),
        }
    }

    /// Headline when the tab is empty but other campaigns exist.
    fn empty_title(self) -> &'static str {
        match self {
            Self::All => "No campaigns yet",
            Self::Drafts => "No drafts",
            Self::Scheduled => "Nothing scheduled",
            Self::Sending => "Nothing is sending right now",
            Self::Finished => "No finished campaigns yet",
        }
    }

    /// What would put a campaign under this tab.
    fn empty_hint(self) -> &'static str {
        match self {
            Self::All => "Campaigns you create show here.",
            Self::Drafts => "Every campaign has been scheduled or sent. Start a new one to draft the next.",
            Self::Scheduled => "Schedule a campaign from its page to have it go out by itself at the time you choose.",
            Self::Sending => "Campaigns that are sending or paused show here with their live progress.",
            Self::Finished => "Campaigns show here once every recipient has been sent to, or when they are cancelled.",
        }
    }
}

/// The column the table is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SortKey {
    /// Creation time: newest first by default, the campaign being worked on is usually new.
    #[default]
    Created,
    /// Alphabetical, ignoring case.
    Name,
    /// Life cycle: what is sending first, then what will send, then what is done.
    Status,
}

impl SortKey {
    /// The `sort` query value (and test id suffix).
    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Name => "name",
            Self::Status => "status",
        }
    }

    /// The query value back; anything unknown is the default order.
    fn parse(s: &str) -> Self {
        match s {
            "name" => Self::Name,
            "status" => Self::Status,
            _ => Self::Created,
        }
    }

    /// The direction a first click on the column sorts in.
    fn default_direction(self) -> SortDirection {
        match self {
            Self::Created => SortDirection::Descending,
            Self::Name | Self::Status => SortDirection::Ascending,
        }
    }
}

/// Place of a status when sorting by status (ascending): active work first.
fn status_rank(status: CampaignStatus) -> u8 {
    match status {
        CampaignStatus::Sending => 0,
        CampaignStatus::Paused => 1,
        CampaignStatus::Scheduled => 2,
        CampaignStatus::Draft => 3,
        CampaignStatus::Finished => 4,
        CampaignStatus::Cancelled => 5,
    }
}

/// The table's view as the URL describes it: tab, sort column and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ListState {
    filter: StatusFilter,
    key: SortKey,
    dir: SortDirection,
}

impl Default for ListState {
    fn default() -> Self {
        Self::parse("", "", "")
    }
}

impl ListState {
    /// From the `status`, `sort` and `dir` query values; a missing direction is the
    /// column's natural one.
    fn parse(status: &str, sort: &str, dir: &str) -> Self {
        let key = SortKey::parse(sort);
        let dir = if dir.is_empty() { key.default_direction() } else { SortDirection::from_query(dir) };
        Self { filter: StatusFilter::parse(status), key, dir }
    }

    /// The same view under another tab.
    fn with_filter(self, filter: StatusFilter) -> Self {
        Self { filter, ..self }
    }

    /// The view after a click on `key`'s header: the active column flips, another one
    /// starts in its natural direction.
    fn sorted_by(self, key: SortKey) -> Self {
        let dir = if self.key == key { self.dir.flipped() } else { key.default_direction() };
        Self { key, dir, ..self }
    }

    /// The link to this view; defaults are left out so the plain page is `/campaigns`.
    fn href(self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if self.filter != StatusFilter::All {
            pairs.push(("status", self.filter.key()));
        }
        if self.key != SortKey::Created {
            pairs.push(("sort", self.key.as_str()));
        }
        if self.dir != self.key.default_direction() {
            pairs.push(("dir", self.dir.as_query()));
        }
        if pairs.is_empty() {
            return PAGE_PATH.to_owned();
        }
        let query: Vec<String> =
            pairs.iter().map(|(k, v)| format!("{}={}", encode_query(k), encode_query(v))).collect();
        format!("{PAGE_PATH}?{}", query.join("&"))
    }
}

/// The URL query keys the view is read from, tracked.
#[derive(Clone, Copy)]
struct UrlState {
    status: Memo<String>,
    sort: Memo<String>,
    dir: Memo<String>,
}

impl UrlState {
    /// Reads the query of the current route (call while the page is set up).
    fn read() -> Self {
        Self { status: query_value("status"), sort: query_value("sort"), dir: query_value("dir") }
    }

    /// The current view, tracked: closures reading it follow the URL.
    fn current(&self) -> ListState {
        ListState::parse(&self.status.get(), &self.sort.get(), &self.dir.get())
    }
}

/// The campaigns under `state`'s tab in `state`'s order (ties: newest first, then by id, so
/// the order never flickers between reloads).
fn visible(list: &[CampaignSummary], state: ListState) -> Vec<CampaignSummary> {
    let mut rows: Vec<CampaignSummary> = list.iter().filter(|c| state.filter.matches(c.status)).cloned().collect();
    rows.sort_by(|a, b| {
        let order = match state.key {
            SortKey::Created => a.created_at.cmp(&b.created_at),
            SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            SortKey::Status => status_rank(a.status).cmp(&status_rank(b.status)),
        };
        let order = if state.dir == SortDirection::Descending { order.reverse() } else { order };
        order.then_with(|| b.created_at.cmp(&a.created_at)).then(b.id.cmp(&a.id))
    });
    rows
}

/// A campaign's name, or a stand-in for a draft not named yet.
fn display_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() { "Untitled campaign".to_owned() } else { name.to_owned() }
}

/// People the campaign goes to: its ledger minus the skipped (suppressed, duplicate)
/// addresses. `None` before it starts, when the ledger does not exist yet.
fn recipients(c: &CampaignSummary) -> Option<i64> {
    let total = c.counts.total();
    if total == 0 && c.status.is_editable() { None } else { Some((total - c.counts.skipped).max(0)) }
}

/// How far a started campaign has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Progress {
    /// Handed to the relay.
    sent: i64,
    /// Refused for good.
    failed: i64,
    /// Everyone who will be attempted (skipped addresses left out).
    recipients: i64,
}

impl Progress {
    /// From the ledger counts.
    fn of(counts: &DeliveryCounts) -> Self {
        Self { sent: counts.sent(), failed: counts.failed, recipients: (counts.total() - counts.skipped).max(0) }
    }

    /// `n` as a share of the recipients, in percent, for a bar's width.
    fn share(&self, n: i64) -> f64 {
        if self.recipients == 0 { 0.0 } else { (n as f64 / self.recipients as f64 * 100.0).clamp(0.0, 100.0) }
    }

    /// Whole percent sent, rounded down so "100 %" means every recipient was sent to.
    fn percent(&self) -> i64 {
        if self.recipients == 0 { 0 } else { self.sent.clamp(0, self.recipients) * 100 / self.recipients }
    }
}

/// "in 3 h 4 min" until a scheduled start, or "any moment now" once it is due.
fn until(at: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let secs = (*at - *now).num_seconds();
    if secs < 60 { "any moment now".to_owned() } else { format!("in {}", format::duration(secs)) }
}

/// What deleting this campaign takes with it, for the confirmation.
fn delete_message(c: &CampaignSummary) -> String {
    match (c.status, c.scheduled_at) {
        (CampaignStatus::Draft, _) => {
            "The draft is deleted with its content and audience. This cannot be undone.".to_owned()
        }
        (CampaignStatus::Scheduled, Some(at)) => format!(
            "It will not go out at {} UTC: the schedule is dropped and the campaign deleted. Nothing has been sent. This cannot be undone.",
            format::timestamp(&at)
        ),
        (CampaignStatus::Scheduled, None) => {
            "The schedule is dropped and the campaign deleted. Nothing has been sent. This cannot be undone.".to_owned()
        }
        _ => "The campaign is deleted with its delivery log and report. Your contacts are not affected. This cannot be undone."
            .to_owned(),
    }
}

/// What a row's buttons do and the page state they share; `Copy` so every row gets it.
#[derive(Clone, Copy)]
struct RowActions {
    duplicate: Callback<i64>,
    delete: Callback<CampaignSummary>,
    /// The campaign being duplicated (its button shows progress).
    duplicating: RwSignal<Option<i64>>,
    clock: BrowserClock,
}

/// The campaigns page: the list of every campaign with its status and progress, the way to
/// a new one, and duplicate and delete on each row.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let clock = BrowserClock::new();
    let url = UrlState::read();
    let duplicate = ServerAction::<DuplicateCampaign>::new();
    let delete = ServerAction::<DeleteCampaign>::new();
    // Bumped every few seconds while a campaign is sending, so its progress moves.
    let poll = RwSignal::new(0u32);
    let campaigns =
        Resource::new(move || (duplicate.version().get(), delete.version().get(), poll.get()), |_| list_campaigns());

    let duplicating = RwSignal::new(None::<i64>);
    let pending_delete = RwSignal::new(None::<CampaignSummary>);
    let delete_open = RwSignal::new(false);
    let actions = RowActions {
        duplicate: Callback::new(move |id: i64| {
            duplicating.set(Some(id));
            duplicate.dispatch(DuplicateCampaign { id });
        }),
        delete: Callback::new(move |c: CampaignSummary| {
            pending_delete.set(Some(c));
            delete_open.set(true);
        }),
        duplicating,
        clock,
    };

    Effect::new(move |_| match duplicate.value().get() {
        Some(Ok(c)) => {
            duplicating.set(None);
            toasts.success(format!("Duplicated as {}. Opening the new draft.", display_name(&c.input.name)));
            navigate(&format!("/campaigns/{}", c.id), Default::default());
        }
        Some(Err(e)) => {
            duplicating.set(None);
            toasts.report(&e);
        }
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Campaign deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });

    // Whether to keep polling: `None` leaves it as it is (still loading, or a passing
    // error: the next reload may well work); an ended session stops it.
    let sending = Memo::new(move |_| match campaigns.get() {
        Some(Ok(list)) => Some(list.iter().any(|c| c.status == CampaignStatus::Sending)),
        Some(Err(ApiError::Unauthorized)) => Some(false),
        _ => None,
    });
    // Effects run only in the browser, so no timer exists on the server.
    let poller = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| match sending.get() {
        Some(true) if poller.get_value().is_none() => {
            let reload = move || {
                clock.tick();
                let _ = poll.try_update(|n| *n = n.wrapping_add(1));
            };
            poller.set_value(set_interval_with_handle(reload, POLL).ok());
        }
        Some(true) => {}
        Some(false) => {
            if let Some(handle) = poller.get_value() {
                handle.clear();
                poller.set_value(None);
            }
        }
        None => {}
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = poller.try_get_value() {
            handle.clear();
        }
    });

    let content = move || {
        campaigns.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(list) if list.is_empty() => empty_state(),
            Ok(list) => campaigns_section(list, url, actions),
        })
    };
    let confirm_title = Signal::derive(move || {
        format!("Delete {}?", pending_delete.get().map(|c| display_name(&c.name)).unwrap_or_default())
    });
    let confirm_message = Signal::derive(move || pending_delete.get().map(|c| delete_message(&c)).unwrap_or_default());
    view! {
        <Title text="Campaigns · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Campaigns"</h1>
                    <p class="mt-1 max-w-3xl text-sm text-slate-500 dark:text-slate-400">
                        "Newsletters and announcements to your lists and segments. Follow a send while it goes out, and open any campaign for its report."
                    </p>
                </div>
                <a href="/campaigns/new" id="new-campaign" data-testid="new-campaign" class=PRIMARY>
                    <span aria-hidden="true" class="-ml-0.5 text-base leading-none">"+"</span>
                    "New campaign"
                </a>
            </div>
            <Transition fallback=skeleton_table>{content}</Transition>
        </div>
        <ConfirmDialog open=delete_open
            title=confirm_title
            message=confirm_message
            confirm_label="Delete campaign"
            on_confirm=Callback::new(move |_| if let Some(c) = pending_delete.get_untracked() {
                delete.dispatch(DeleteCampaign { id: c.id });
            }) />
    }
}

/// The status tabs and the table (or the tab's empty state), following the URL.
fn campaigns_section(list: Vec<CampaignSummary>, url: UrlState, actions: RowActions) -> AnyView {
    let for_tabs = list.clone();
    let tabs = move || status_tabs(&for_tabs, url.current());
    let table = move || {
        let state = url.current();
        let rows = visible(&list, state);
        if rows.is_empty() { filtered_empty(state) } else { campaigns_table(rows, state, actions) }
    };
    view! {
        <section class="space-y-4" aria-label="Campaign list">
            {tabs}
            {table}
        </section>
    }
    .into_any()
}

/// All / Drafts / Scheduled / Sending / Finished, each with its count; links, so the tab
/// is kept in the URL like the sort.
fn status_tabs(list: &[CampaignSummary], state: ListState) -> AnyView {
    let tabs = StatusFilter::TABS
        .into_iter()
        .map(|f| {
            let count = list.iter().filter(|c| f.matches(c.status)).count();
            let count = thousands(i64::try_from(count).unwrap_or(i64::MAX));
            let active = f == state.filter;
            let href = state.with_filter(f).href();
            view! {
                <a href=href data-testid=format!("status-filter-{}", f.key()) data-filter=f.key()
                    class=if active { TAB_ACTIVE } else { TAB }
                    aria-current=active.then_some("true") title=f.title()>
                    {f.label()}
                    <span class=if active { TAB_COUNT_ACTIVE } else { TAB_COUNT }>{count}</span>
                </a>
            }
        })
        .collect_view();
    view! {
        <nav id="status-filter" data-testid="status-filter" aria-label="Filter campaigns by status"
            class="inline-flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1 dark:bg-slate-800/60">
            {tabs}
        </nav>
    }
    .into_any()
}

/// A header that sorts the table: a link to the same view sorted by `key`.
fn sort_header(label: &'static str, key: SortKey, state: ListState) -> AnyView {
    let active = state.key == key;
    let href = state.sorted_by(key).href();
    let (aria, arrow) = match (active, state.dir) {
        (false, _) => ("none", "↕"),
        (true, SortDirection::Ascending) => ("ascending", "↑"),
        (true, SortDirection::Descending) => ("descending", "↓"),
    };
    let arrow_class = if active { "text-indigo-500" } else { "opacity-40" };
    view! {
        <th scope="col" class=TH aria-sort=aria>
            <a href=href data-testid=format!("sort-{}", key.as_str()) data-sort=key.as_str()
                class="inline-flex items-center gap-1 hover:text-slate-900 dark:hover:text-white">
                {label}
                <span class=arrow_class aria-hidden="true">{arrow}</span>
            </a>
        </th>
    }
    .into_any()
}

/// The table of campaigns (already filtered and sorted).
fn campaigns_table(rows: Vec<CampaignSummary>, state: ListState, actions: RowActions) -> AnyView {
    let body = rows.into_iter().map(|c| campaign_row(c, actions)).collect_view();
    view! {
        <div class=TABLE_FRAME>
            <table id="campaigns-table" data-testid="campaigns-table" class=TABLE>
                <caption class="sr-only">"Campaigns"</caption>
                <thead class="bg-slate-50 dark:bg-slate-900/60">
                    <tr>
                        {sort_header("Name", SortKey::Name, state)}
                        {sort_header("Status", SortKey::Status, state)}
                        <th scope="col" class=TH_RIGHT>"Recipients"</th>
                        <th scope="col" class=TH>"Progress"</th>
                        {sort_header("Created / Sent (UTC)", SortKey::Created, state)}
                        <th scope="col" class=TH_RIGHT><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class=TBODY>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One campaign: name and subject, status, recipients, progress, date and actions.
fn campaign_row(c: CampaignSummary, actions: RowActions) -> impl IntoView {
    let id = c.id;
    let name = display_name(&c.name);
    let name_title = name.clone();
    let subject = if c.subject.trim().is_empty() {
        view! { <div class="mt-0.5 text-xs italic text-slate-400 dark:text-slate-500">"No subject yet"</div> }
            .into_any()
    } else {
        let text = c.subject.clone();
        let title = text.clone();
        view! {
            <div class="mt-0.5 max-w-xs truncate text-xs text-slate-500 dark:text-slate-400" title=title>{text}</div>
        }
        .into_any()
    };
    let blocked = matches!(c.status, CampaignStatus::Sending | CampaignStatus::Paused);
    let delete_hint = blocked.then_some("Cancel the campaign before deleting it");
    let delete_class =
        format!("{ROW_DANGER} disabled:cursor-not-allowed disabled:opacity-40 disabled:hover:bg-transparent");
    let duplicating = actions.duplicating;
    let for_delete = c.clone();
    view! {
        <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/50" data-testid=format!("campaign-row-{id}")
            data-campaign-id=id.to_string() data-status=c.status.as_str()>
            <td class=TD>
                <a href=format!("/campaigns/{id}") title=name_title data-testid=format!("campaign-link-{id}")
                    class="block max-w-xs truncate font-medium text-slate-900 hover:text-indigo-600 hover:underline dark:text-white dark:hover:text-indigo-300">
                    {name}
                </a>
                {subject}
            </td>
            <td class=format!("{TD} whitespace-nowrap")>{status_cell(&c, actions.clock)}</td>
            <td class=format!("{TD} text-right tabular-nums")>{recipients_cell(&c)}</td>
            <td class=TD>{progress_cell(&c)}</td>
            <td class=format!("{TD} whitespace-nowrap")>{date_cell(&c, actions.clock)}</td>
            <td class=format!("{TD} text-right")>
                <div class="flex justify-end gap-1 whitespace-nowrap">
                    <button type="button" class=format!("{ROW_ACTION} disabled:opacity-60") data-testid=format!("duplicate-{id}")
                        data-action="duplicate" title="Make a new draft with the same content and audience"
                        disabled=move || duplicating.get() == Some(id)
                        on:click=move |_| actions.duplicate.run(id)>
                        {move || if duplicating.get() == Some(id) { "Duplicating…" } else { "Duplicate" }}
                    </button>
                    // The tooltip sits on a wrapper too: some browsers show none on a disabled button.
                    <span title=delete_hint>
                        <button type="button" class=delete_class data-testid=format!("delete-{id}") data-action="delete"
                            disabled=blocked title=delete_hint
                            on:click=move |_| actions.delete.run(for_delete.clone())>
                            "Delete"
                        </button>
                    </span>
                </div>
            </td>
        </tr>
    }
}

/// The status as a coloured pill (a pulsing dot while sending), with the start time under
/// a scheduled one.
fn status_cell(c: &CampaignSummary, clock: BrowserClock) -> AnyView {
    let id = c.id;
    let status = c.status;
    let tone = match status {
        CampaignStatus::Draft => GREY,
        CampaignStatus::Scheduled => BLUE,
        CampaignStatus::Sending => SENDING,
        CampaignStatus::Paused => AMBER,
        CampaignStatus::Cancelled => CANCELLED,
        CampaignStatus::Finished => GREEN,
    };
    let pulse = (status == CampaignStatus::Sending).then(|| {
        view! {
            <span class="relative flex h-2 w-2" aria-hidden="true">
                <span class="absolute inline-flex h-full w-full animate-ping rounded-full bg-green-400 opacity-75 motion-reduce:animate-none"></span>
                <span class="relative inline-flex h-2 w-2 rounded-full bg-green-500"></span>
            </span>
        }
    });
    let when = match (status, c.scheduled_at) {
        (CampaignStatus::Scheduled, Some(at)) => Some(scheduled_line(at, clock)),
        _ => None,
    };
    view! {
        <span data-testid=format!("campaign-status-{id}") data-status=status.as_str()
            class=format!("{PILL} {tone} gap-1.5")>
            {pulse}
            {status.label()}
        </span>
        {when}
    }
    .into_any()
}

/// "2026-03-01 10:00 UTC · in 3 h 4 min" under a scheduled campaign's pill (the relative
/// part once the browser's clock is known).
fn scheduled_line(at: DateTime<Utc>, clock: BrowserClock) -> AnyView {
    let relative = move || clock.now().map(|now| format!(" · {}", until(&at, &now)));
    view! {
        <div class="mt-1 text-xs text-slate-500 dark:text-slate-400">
            <time datetime=at.to_rfc3339()>{format!("{} UTC", format::timestamp(&at))}</time>
            {relative}
        </div>
    }
    .into_any()
}

/// A grey dash for a figure that does not exist yet, with why on hover.
fn dash(why: &'static str) -> AnyView {
    view! { <span class="text-slate-400 dark:text-slate-500" title=why>"—"</span> }.into_any()
}

/// The number of recipients, and the skipped addresses when there are any.
fn recipients_cell(c: &CampaignSummary) -> AnyView {
    let Some(n) = recipients(c) else {
        return dash("Counted when the campaign starts sending");
    };
    let skipped = c.counts.skipped;
    let skipped_line = (skipped > 0).then(|| {
        view! {
            <div class="text-xs font-normal text-slate-500 dark:text-slate-400"
                title="Suppressed or duplicate addresses: never sent to">
                {format!("{} skipped", thousands(skipped))}
            </div>
        }
    });
    view! {
        <div class="font-medium text-slate-900 dark:text-white" data-testid=format!("campaign-recipients-{}", c.id)>
            {thousands(n)}
        </div>
        {skipped_line}
    }
    .into_any()
}

/// A thin bar of sent (and failed, in red) against the recipients, with the figures under
/// it; a dash until the campaign starts.
fn progress_cell(c: &CampaignSummary) -> AnyView {
    if c.status.is_editable() {
        return dash("Progress shows once sending starts");
    }
    let p = Progress::of(&c.counts);
    let percent = p.percent();
    let bar = match c.status {
        CampaignStatus::Finished => "bg-emerald-500",
        CampaignStatus::Paused => "bg-amber-500",
        CampaignStatus::Cancelled => "bg-slate-400 dark:bg-slate-600",
        _ => "bg-indigo-600 dark:bg-indigo-500",
    };
    let failed_class = if p.failed > 0 { "text-rose-600 dark:text-rose-400" } else { "" };
    let sent_width = format!("width: {:.1}%", p.share(p.sent));
    let failed_width = format!("width: {:.1}%", p.share(p.failed));
    let label = format!("{percent} % sent");
    view! {
        <div class="w-48 min-w-40" data-testid=format!("campaign-progress-{}", c.id)>
            <div class="flex items-center gap-2">
                <div class="flex h-1.5 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
                    role="progressbar" aria-label=label.clone() title=label aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow=percent.to_string()>
                    <div class=format!("h-full {bar} transition-all") style=sent_width></div>
                    <div class="h-full bg-rose-500 transition-all" style=failed_width></div>
                </div>
                <span class="w-10 text-right text-xs tabular-nums text-slate-600 dark:text-slate-300">
                    {format!("{percent} %")}
                </span>
            </div>
            <p class="mt-1 whitespace-nowrap text-xs tabular-nums text-slate-500 dark:text-slate-400">
                {format!("{} sent · ", thousands(p.sent))}
                <span class=failed_class>{format!("{} failed", thousands(p.failed))}</span>
            </p>
        </div>
    }
    .into_any()
}

/// When the campaign was sent (or, before that, created), with how long ago.
fn date_cell(c: &CampaignSummary, clock: BrowserClock) -> AnyView {
    let (verb, at) = match c.sent_at {
        Some(sent) => ("Sent", sent),
        None => ("Created", c.created_at),
    };
    let ago = move || match clock.ago(&at) {
        Some(ago) => format!("{verb} {ago}"),
        None => verb.to_owned(),
    };
    view! {
        <time class="block tabular-nums" datetime=at.to_rfc3339()>{format::timestamp(&at)}</time>
        <span class="block text-xs text-slate-500 dark:text-slate-400">{ago}</span>
    }
    .into_any()
}

/// No campaign at all: what a campaign is, and the way to make the first one.
fn empty_state() -> AnyView {
    view! {
        <section id="campaigns-empty" data-testid="campaigns-empty"
            class="empty-state rounded-xl border border-dashed border-slate-300 bg-white px-6 py-14 text-center dark:border-slate-700 dark:bg-slate-900">
            <div class="mx-auto w-fit rounded-full bg-indigo-50 p-3 text-indigo-500 dark:bg-indigo-500/10 dark:text-indigo-300">
                {icons::send()}
            </div>
            <h2 class="mt-3 text-base font-semibold text-slate-900 dark:text-white">"No campaigns yet"</h2>
            <p class="mx-auto mt-1 max-w-md text-sm text-slate-500 dark:text-slate-400">
                "Send a newsletter or announcement to your lists and segments, with tracking and a preflight check before anything leaves."
            </p>
            <a href="/campaigns/new" id="empty-new-campaign" data-testid="empty-new-campaign" class=format!("mt-5 {PRIMARY}")>
                <span aria-hidden="true" class="-ml-0.5 text-base leading-none">"+"</span>
                "New campaign"
            </a>
        </section>
    }
    .into_any()
}

/// Campaigns exist, but none under the chosen tab.
fn filtered_empty(state: ListState) -> AnyView {
    let all = state.with_filter(StatusFilter::All).href();
    view! {
        <div id="campaigns-filter-empty" data-testid="campaigns-filter-empty" data-filter=state.filter.key()
            class="empty-state rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center dark:border-slate-700 dark:bg-slate-900">
            <div class="mx-auto w-fit rounded-full bg-slate-100 p-3 text-slate-400 dark:bg-slate-800">{icons::filter()}</div>
            <p class="mt-3 text-sm font-semibold text-slate-900 dark:text-white">{state.filter.empty_title()}</p>
            <p class="mx-auto mt-1 max-w-md text-sm text-slate-500 dark:text-slate-400">{state.filter.empty_hint()}</p>
            <a href=all data-testid="show-all-campaigns" class=format!("mt-5 {SECONDARY}")>"Show all campaigns"</a>
        </div>
    }
    .into_any()
}

/// Placeholder rows while the list loads, framed like the real table.
fn skeleton_table() -> AnyView {
    view! {
        <div class=TABLE_FRAME role="status">
            <span class="sr-only">"Loading campaigns…"</span>
            <div class="divide-y divide-slate-100 dark:divide-slate-800" aria-hidden="true">
                <div class="bg-slate-50 px-4 py-3 dark:bg-slate-900/60">
                    <div class="h-3 w-1/3 animate-pulse rounded bg-slate-200 dark:bg-slate-800"></div>
                </div>
                {(0..4).map(|_| view! {
                    <div class="flex items-center gap-6 px-4 py-4">
                        <div class="flex-1 space-y-2">
                            <div class="h-4 w-1/3 animate-pulse rounded bg-slate-200 dark:bg-slate-800"></div>
                            <div class="h-3 w-1/2 animate-pulse rounded bg-slate-100 dark:bg-slate-800/60"></div>
                        </div>
                        <div class="h-5 w-20 animate-pulse rounded-full bg-slate-200 dark:bg-slate-800"></div>
                        <div class="hidden h-1.5 w-40 animate-pulse rounded-full bg-slate-200 sm:block dark:bg-slate-800"></div>
                    </div>
                }).collect_view()}
            </div>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use model::campaigns::DeliveryState;

    use super::*;

    fn summary(id: i64, name: &str, status: CampaignStatus, minute: u32) -> CampaignSummary {
        CampaignSummary {
            id,
            name: name.to_owned(),
            subject: format!("Subject {id}"),
            status,
            created_at: Utc.with_ymd_and_hms(2026, 3, 1, 10, minute, 0).single().expect("valid date"),
            scheduled_at: None,
            sent_at: None,
            counts: DeliveryCounts::default(),
        }
    }

    fn ids(rows: &[CampaignSummary]) -> Vec<i64> {
        rows.iter().map(|c| c.id).collect()
    }

    fn sample() -> Vec<CampaignSummary> {
        vec![
            summary(1, "beta", CampaignStatus::Finished, 1),
            summary(2, "Alpha", CampaignStatus::Draft, 9),
            summary(3, "gamma", CampaignStatus::Sending, 5),
            summary(4, "delta", CampaignStatus::Paused, 3),
            summary(5, "Epsilon", CampaignStatus::Cancelled, 7),
        ]
    }

    #[test]
    fn newest_first_by_default_and_other_orders_on_request() {
        let list = sample();
        assert_eq!(ids(&visible(&list, ListState::default())), vec![2, 5, 3, 4, 1]);
        assert_eq!(ids(&visible(&list, ListState::parse("", "name", ""))), vec![2, 1, 4, 5, 3]);
        assert_eq!(ids(&visible(&list, ListState::parse("", "name", "desc"))), vec![3, 5, 4, 1, 2]);
        assert_eq!(ids(&visible(&list, ListState::parse("", "status", ""))), vec![3, 4, 2, 1, 5]);
    }

    #[test]
    fn tabs_group_paused_with_sending_and_cancelled_with_finished() {
        let list = sample();
        assert_eq!(ids(&visible(&list, ListState::parse("sending", "", ""))), vec![3, 4]);
        assert_eq!(ids(&visible(&list, ListState::parse("finished", "", ""))), vec![5, 1]);
        assert_eq!(ids(&visible(&list, ListState::parse("draft", "", ""))), vec![2]);
        assert!(visible(&list, ListState::parse("scheduled", "", "")).is_empty());
        assert_eq!(StatusFilter::parse("bogus"), StatusFilter::All);
    }

    #[test]
    fn links_leave_defaults_out_and_flip_the_active_column() {
        let start = ListState::default();
        assert_eq!(start.href(), "/campaigns");
        assert_eq!(start.sorted_by(SortKey::Created).href(), "/campaigns?dir=asc");
        let by_name = start.sorted_by(SortKey::Name);
        assert_eq!(by_name.href(), "/campaigns?sort=name");
        assert_eq!(by_name.sorted_by(SortKey::Name).href(), "/campaigns?sort=name&dir=desc");
        assert_eq!(by_name.with_filter(StatusFilter::Drafts).href(), "/campaigns?status=draft&sort=name");
        assert_eq!(ListState::parse("draft", "name", ""), by_name.with_filter(StatusFilter::Drafts));
    }

    #[test]
    fn progress_leaves_skipped_addresses_out() {
        let mut counts = DeliveryCounts::default();
        counts.add(DeliveryState::Submitted, 3);
        counts.add(DeliveryState::Delivered, 2);
        counts.add(DeliveryState::Failed, 1);
        counts.add(DeliveryState::Queued, 4);
        counts.add(DeliveryState::Skipped, 5);
        let p = Progress::of(&counts);
        assert_eq!((p.sent, p.failed, p.recipients, p.percent()), (5, 1, 10, 50));
        assert!((p.share(p.failed) - 10.0).abs() < 1e-9);
        assert_eq!(Progress::of(&DeliveryCounts::default()).percent(), 0);
    }

    #[test]
    fn drafts_have_no_recipient_count_until_they_start() {
        let mut draft = summary(1, "x", CampaignStatus::Draft, 0);
        assert_eq!(recipients(&draft), None);
        draft.status = CampaignStatus::Finished;
        assert_eq!(recipients(&draft), Some(0));
        draft.counts.add(DeliveryState::Delivered, 7);
        draft.counts.add(DeliveryState::Skipped, 2);
        assert_eq!(recipients(&draft), Some(7));
    }

    #[test]
    fn scheduled_starts_read_as_time_to_go() {
        let t = |h, m| Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).single().expect("valid date");
        assert_eq!(until(&t(13, 4), &t(10, 0)), "in 3 h 4 min");
        assert_eq!(until(&t(10, 0), &t(10, 5)), "any moment now");
    }
}
