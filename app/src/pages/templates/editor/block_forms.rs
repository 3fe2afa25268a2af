//! The kind-specific part of the properties panel: one small form per kind of block.
//!
//! Each form reads its values from the document through [`block_value`] and writes them
//! back through [`block_setter`], so the canvas and the preview follow every keystroke and
//! undo covers all of it. Lists (social profiles, menu links, column widths) are rebuilt
//! only when their length changes, so typing in one row never loses focus.

use leptos::prelude::*;
use model::email::edit::set_column_count;
use model::email::{Block, BlockKind, MenuLink, SocialLink, SocialNetwork};
use model::templates::MediaFile;

use super::fields::{
    CheckboxField, ChoiceField, ColorField, FieldGroup, HINT, ICON_BUTTON, NumberField, PROBLEM, SMALL_BUTTON,
    Segmented, TextArea, TextInput, block_setter, block_value, canvas_note,
};
use super::media_picker::{IMAGE_TYPES, MediaPicker, UploadProgress, media_src, upload_bar, upload_chosen};
use super::state::use_editor;
use crate::components::toast::use_toasts;

/// Which kind a block is, without its content: what decides which form the panel shows.
/// Copy and comparable, so the panel only rebuilds its form when the selection or the kind
/// changes, not on every edit of the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindTag {
    Section,
    Columns,
    Heading,
    Text,
    Image,
    Button,
    Divider,
    Spacer,
    Social,
    Menu,
    RawHtml,
    Footer,
}

impl KindTag {
    /// The tag of `kind`.
    pub fn of(kind: &BlockKind) -> Self {
        match kind {
            BlockKind::Section { .. } => Self::Section,
            BlockKind::Columns { .. } => Self::Columns,
            BlockKind::Heading { .. } => Self::Heading,
            BlockKind::Text { .. } => Self::Text,
            BlockKind::Image { .. } => Self::Image,
            BlockKind::Button { .. } => Self::Button,
            BlockKind::Divider { .. } => Self::Divider,
            BlockKind::Spacer { .. } => Self::Spacer,
            BlockKind::Social { .. } => Self::Social,
            BlockKind::Menu { .. } => Self::Menu,
            BlockKind::RawHtml { .. } => Self::RawHtml,
            BlockKind::Footer { .. } => Self::Footer,
        }
    }

    /// The name people know the kind by (panel header, palette).
    pub fn label(self) -> &'static str {
        match self {
            Self::Section => "Section",
            Self::Columns => "Columns",
            Self::Heading => "Heading",
            Self::Text => "Text",
            Self::Image => "Image",
            Self::Button => "Button",
            Self::Divider => "Divider",
            Self::Spacer => "Spacer",
            Self::Social => "Social links",
            Self::Menu => "Menu",
            Self::RawHtml => "Custom HTML",
            Self::Footer => "Footer",
        }
    }
}

/// The form for block `id` of kind `kind`.
#[component]
pub fn BlockForm(id: String, kind: KindTag) -> impl IntoView {
    match kind {
        KindTag::Section => view! {
            <p class=HINT>
                "A band across the whole email holding other blocks: drag blocks into it on the canvas. Its background is set under Block style."
            </p>
        }
        .into_any(),
        KindTag::Columns => view! { <ColumnsForm id=id /> }.into_any(),
        KindTag::Heading => view! { <HeadingForm id=id /> }.into_any(),
        KindTag::Text => canvas_note(),
        KindTag::Image => view! { <ImageForm id=id /> }.into_any(),
        KindTag::Button => view! { <ButtonForm id=id /> }.into_any(),
        KindTag::Divider => view! { <DividerForm id=id /> }.into_any(),
        KindTag::Spacer => view! { <SpacerForm id=id /> }.into_any(),
        KindTag::Social => view! { <SocialForm id=id /> }.into_any(),
        KindTag::Menu => view! { <MenuForm id=id /> }.into_any(),
        KindTag::RawHtml => view! { <RawHtmlForm id=id /> }.into_any(),
        KindTag::Footer => view! { <FooterForm id=id /> }.into_any(),
    }
}

/// A problem line for a required text that is blank.
fn required(value: Signal<String>, message: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || value.with(|v| v.trim().is_empty()).then(|| message.to_owned()))
}

/// `u32` from the number fields into the `u16` sizes of the model (the fields' ranges keep
/// it in bounds; out-of-range values saturate rather than wrap).
fn px(value: u32) -> u16 {
    u16::try_from(value).unwrap_or(u16::MAX)
}

/// Heading level (H1–H3); the text itself is edited on the canvas.
#[component]
fn HeadingForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let level = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Heading { level, .. } => Some(*level),
        _ => None,
    });
    let set_level = block_setter(ctx, &id, "level", |b: &mut Block, value: u8| {
        if let BlockKind::Heading { level, .. } = &mut b.kind {
            *level = value;
        }
    });
    view! {
        <Segmented id=format!("prop-level-{id}") label="Level" options=vec![(1u8, "H1"), (2u8, "H2"), (3u8, "H3")]
            value=level on_change=set_level />
        {canvas_note()}
    }
}

/// The footer's postal address (required by law); its text is edited on the canvas.
#[component]
fn FooterForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let address = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Footer { postal_address, .. } => Some(postal_address.clone()),
        _ => None,
    });
    let set_address = block_setter(ctx, &id, "postal-address", |b: &mut Block, value: String| {
        if let BlockKind::Footer { postal_address, .. } = &mut b.kind {
            *postal_address = value;
        }
    });
    let missing = required(
        address,
        "Required: the law (CAN-SPAM, and GDPR practice in the EU) requires the sender's postal address in every bulk email. The email cannot be sent without it.",
    );
    view! {
        {canvas_note()}
        <TextArea id=format!("prop-postal-address-{id}") label="Postal address" rows=3 value=address
            on_input=set_address problem=missing placeholder="Example Ltd, 1 Main Street, Springfield 12345, USA" />
        <p class=HINT>"An unsubscribe link is added to the footer automatically."</p>
    }
}

/// Image source (typed, uploaded or picked from the library), alt text, link and width.
#[component]
fn ImageForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let toasts = use_toasts();
    let picker_open = RwSignal::new(false);
    let progress: UploadProgress = RwSignal::new(None);
    let src = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Image { src, .. } => Some(src.clone()),
        _ => None,
    });
    let alt = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Image { alt, .. } => Some(alt.clone()),
        _ => None,
    });
    let href = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Image { href, .. } => Some(href.clone().unwrap_or_default()),
        _ => None,
    });
    let width = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Image { width, .. } => Some(*width),
        _ => None,
    });
    let set_src = block_setter(ctx, &id, "src", |b: &mut Block, value: String| {
        if let BlockKind::Image { src, .. } = &mut b.kind {
            *src = value;
        }
    });
    let set_alt = block_setter(ctx, &id, "alt", |b: &mut Block, value: String| {
        if let BlockKind::Image { alt, .. } = &mut b.kind {
            *alt = value;
        }
    });
    let set_href = block_setter(ctx, &id, "href", |b: &mut Block, value: String| {
        if let BlockKind::Image { href, .. } = &mut b.kind {
            *href = (!value.trim().is_empty()).then_some(value);
        }
    });
    let set_width = block_setter(ctx, &id, "width", |b: &mut Block, value: Option<u32>| {
        if let BlockKind::Image { width, .. } = &mut b.kind {
            *width = value;
        }
    });
    // Picked and uploaded images replace the source as one undo step each.
    let use_image = {
        let id = id.clone();
        move |file: &MediaFile| {
            // The editor may be gone when a slow upload finishes.
            if ctx.doc.try_with_untracked(|_| ()).is_none() {
                return;
            }
            ctx.update_block(&id, None, |b| {
                if let BlockKind::Image { src, .. } = &mut b.kind {
                    *src = media_src(file);
                }
            });
        }
    };
    let on_pick = {
        let use_image = use_image.clone();
        Callback::new(move |file: MediaFile| use_image(&file))
    };
    let on_file = move |ev: leptos::ev::Event| {
        let use_image = use_image.clone();
        upload_chosen(&ev, progress, toasts, move |file| {
            use_image(&file);
            toasts.success(format!("{} uploaded and placed in the image block.", file.file_name));
        });
    };
    let missing_src =
        required(src, "The image has no source: upload one, choose one from the library or paste its URL.");
    let missing_alt =
        required(alt, "Required: describe the image for people who do not load images or use a screen reader.");
    view! {
        <TextInput id=format!("prop-src-{id}") label="Image URL" value=src on_input=set_src monospace=true
            placeholder="https://…" problem=missing_src
            hint="Library images start with {{ site_url }}, which becomes this site's address when the email is sent." />
        <div class="flex flex-wrap gap-2">
            <label class=format!("{SMALL_BUTTON} cursor-pointer")>
                "Upload image"
                <input type="file" class="sr-only" data-testid="image-upload" accept=IMAGE_TYPES
                    disabled=move || progress.with(Option::is_some)
                    on:change=on_file />
            </label>
            <button type="button" class=SMALL_BUTTON data-testid="choose-from-library" on:click=move |_| picker_open.set(true)>
                "Choose from library"
            </button>
        </div>
        {upload_bar(progress)}
        <TextInput id=format!("prop-alt-{id}") label="Alt text" value=alt on_input=set_alt problem=missing_alt
            placeholder="What the image shows" />
        <TextInput id=format!("prop-image-href-{id}") label="Link (optional)" value=href on_input=set_href
            monospace=true placeholder="https://…" />
        <NumberField id=format!("prop-image-width-{id}") label="Width" value=width on_change=set_width
            min=20 max=900 allow_blank=true placeholder="Full width" suffix="px"
            hint="Leave empty to fill the column; the image never grows wider than its column." />
        <MediaPicker open=picker_open on_pick=on_pick />
    }
}

/// Button label, link, colours and corner radius.
#[component]
fn ButtonForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let label = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Button { label, .. } => Some(label.clone()),
        _ => None,
    });
    let href = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Button { href, .. } => Some(href.clone()),
        _ => None,
    });
    let background = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Button { background_color, .. } => Some(background_color.clone()),
        _ => None,
    });
    let text_color = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Button { text_color, .. } => Some(text_color.clone()),
        _ => None,
    });
    let radius = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Button { border_radius, .. } => Some(Some(u32::from(*border_radius))),
        _ => None,
    });
    let set_label = block_setter(ctx, &id, "label", |b: &mut Block, value: String| {
        if let BlockKind::Button { label, .. } = &mut b.kind {
            *label = value;
        }
    });
    let set_href = block_setter(ctx, &id, "href", |b: &mut Block, value: String| {
        if let BlockKind::Button { href, .. } = &mut b.kind {
            *href = value;
        }
    });
    let set_background = block_setter(ctx, &id, "button-background", |b: &mut Block, value: String| {
        if let BlockKind::Button { background_color, .. } = &mut b.kind {
            *background_color = value;
        }
    });
    let set_text_color = block_setter(ctx, &id, "button-text-color", |b: &mut Block, value: String| {
        if let BlockKind::Button { text_color, .. } = &mut b.kind {
            *text_color = value;
        }
    });
    let set_radius = block_setter(ctx, &id, "radius", |b: &mut Block, value: Option<u32>| {
        if let (BlockKind::Button { border_radius, .. }, Some(v)) = (&mut b.kind, value) {
            *border_radius = px(v);
        }
    });
    let missing_label = required(label, "The button needs a label.");
    let missing_href = required(href, "The button has no link: the email cannot be sent like this.");
    view! {
        <TextInput id=format!("prop-button-label-{id}") label="Label" value=label on_input=set_label
            problem=missing_label placeholder="Read more" />
        <TextInput id=format!("prop-button-href-{id}") label="Link" value=href on_input=set_href monospace=true
            problem=missing_href placeholder="https://…" />
        <ColorField id=format!("prop-button-background-{id}") label="Button colour" value=background
            on_change=set_background />
        <ColorField id=format!("prop-button-text-{id}") label="Text colour" value=text_color on_change=set_text_color />
        <NumberField id=format!("prop-button-radius-{id}") label="Corner radius" value=radius on_change=set_radius
            min=0 max=50 suffix="px" hint="Outlook for Windows shows square corners whatever is set." />
    }
}

/// Divider colour and thickness.
#[component]
fn DividerForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let color = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Divider { color, .. } => Some(color.clone()),
        _ => None,
    });
    let thickness = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Divider { thickness, .. } => Some(Some(u32::from(*thickness))),
        _ => None,
    });
    let set_color = block_setter(ctx, &id, "divider-color", |b: &mut Block, value: String| {
        if let BlockKind::Divider { color, .. } = &mut b.kind {
            *color = value;
        }
    });
    let set_thickness = block_setter(ctx, &id, "thickness", |b: &mut Block, value: Option<u32>| {
        if let (BlockKind::Divider { thickness, .. }, Some(v)) = (&mut b.kind, value) {
            *thickness = px(v);
        }
    });
    view! {
        <ColorField id=format!("prop-divider-color-{id}") label="Colour" value=color on_change=set_color />
        <NumberField id=format!("prop-divider-thickness-{id}") label="Thickness" value=thickness
            on_change=set_thickness min=1 max=20 suffix="px" />
    }
}

/// Spacer height.
#[component]
fn SpacerForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let height = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Spacer { height } => Some(Some(u32::from(*height))),
        _ => None,
    });
    let set_height = block_setter(ctx, &id, "height", |b: &mut Block, value: Option<u32>| {
        if let (BlockKind::Spacer { height }, Some(v)) = (&mut b.kind, value) {
            *height = px(v);
        }
    });
    view! {
        <NumberField id=format!("prop-spacer-height-{id}") label="Height" value=height on_change=set_height
            min=1 max=400 suffix="px" />
    }
}

/// Hand-written HTML.
#[component]
fn RawHtmlForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let html = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::RawHtml { html } => Some(html.clone()),
        _ => None,
    });
    let set_html = block_setter(ctx, &id, "html", |b: &mut Block, value: String| {
        if let BlockKind::RawHtml { html } = &mut b.kind {
            *html = value;
        }
    });
    view! {
        <TextArea id=format!("prop-html-{id}") label="HTML" rows=14 monospace=true value=html on_input=set_html
            placeholder="<table role=\"presentation\">…</table>"
            hint="Inserted exactly as written. Use tables and inline styles: many mail clients ignore <style>, scripts and forms. The check before sending reviews it." />
    }
}

/// The social profiles: network and URL per row.
#[component]
fn SocialForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let count = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Social { links } => Some(links.len()),
        _ => None,
    });
    let add = {
        let id = id.clone();
        move |_: leptos::ev::MouseEvent| {
            ctx.update_block(&id, None, |b| {
                if let BlockKind::Social { links } = &mut b.kind {
                    // The first network not listed yet; a second website link otherwise.
                    let network = SocialNetwork::ALL
                        .into_iter()
                        .find(|n| !links.iter().any(|l| l.network == *n))
                        .unwrap_or(SocialNetwork::Website);
                    links.push(SocialLink { network, url: String::new() });
                }
            })
        }
    };
    let rows = move || {
        let n = count.get();
        if n == 0 {
            view! { <li class=HINT>"No profiles yet: add the networks you are on."</li> }.into_any()
        } else {
            (0..n).map(|index| view! { <SocialRow id=id.clone() index=index /> }).collect_view().into_any()
        }
    };
    view! {
        <FieldGroup title="Profiles">
            <ul class="space-y-3">{rows}</ul>
            <button type="button" class=SMALL_BUTTON data-testid="add-social" on:click=add>"+ Add profile"</button>
        </FieldGroup>
    }
}

/// One social profile: network, URL and remove.
#[component]
fn SocialRow(id: String, index: usize) -> impl IntoView {
    let ctx = use_editor();
    let network = block_value(ctx, &id, move |b| match &b.kind {
        BlockKind::Social { links } => links.get(index).map(|l| l.network.as_str().to_owned()),
        _ => None,
    });
    let url = block_value(ctx, &id, move |b| match &b.kind {
        BlockKind::Social { links } => links.get(index).map(|l| l.url.clone()),
        _ => None,
    });
    let set_network =
        block_setter(ctx, &id, &format!("social-network-{index}"), move |b: &mut Block, value: String| {
            if let BlockKind::Social { links } = &mut b.kind
                && let Some(link) = links.get_mut(index)
                && let Some(network) = SocialNetwork::ALL.into_iter().find(|n| n.as_str() == value)
            {
                link.network = network;
            }
        });
    let set_url = block_setter(ctx, &id, &format!("social-url-{index}"), move |b: &mut Block, value: String| {
        if let BlockKind::Social { links } = &mut b.kind
            && let Some(link) = links.get_mut(index)
        {
            link.url = value;
        }
    });
    let remove = {
        let id = id.clone();
        move |_: leptos::ev::MouseEvent| {
            ctx.update_block(&id, None, |b| {
                if let BlockKind::Social { links } = &mut b.kind
                    && index < links.len()
                {
                    links.remove(index);
                }
            })
        }
    };
    let options = Signal::derive(|| {
        SocialNetwork::ALL.into_iter().map(|n| (n.as_str().to_owned(), n.label().to_owned())).collect::<Vec<_>>()
    });
    let missing_url = required(url, "Add the profile's address, or remove the row.");
    let remove_label = format!("Remove profile {}", index + 1);
    view! {
        <li class="flex items-start gap-2" data-testid="social-row">
            <div class="w-32 shrink-0">
                <ChoiceField id=format!("prop-social-network-{index}-{id}") label="Network" value=network
                    options=options on_change=set_network />
            </div>
            <div class="min-w-0 flex-1">
                <TextInput id=format!("prop-social-url-{index}-{id}") label="Profile URL" value=url on_input=set_url
                    monospace=true placeholder="https://…" problem=missing_url />
            </div>
            <button type="button" class=format!("{ICON_BUTTON} mt-5") aria-label=remove_label title="Remove"
                on:click=remove>"✕"</button>
        </li>
    }
}

/// The menu links: label and URL per row, reorderable.
#[component]
fn MenuForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let count = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Menu { links } => Some(links.len()),
        _ => None,
    });
    let add = {
        let id = id.clone();
        move |_: leptos::ev::MouseEvent| {
            ctx.update_block(&id, None, |b| {
                if let BlockKind::Menu { links } = &mut b.kind {
                    links.push(MenuLink { label: "New link".to_owned(), href: String::new() });
                }
            })
        }
    };
    let rows = move || {
        let n = count.get();
        if n == 0 {
            view! { <li class=HINT>"No links yet."</li> }.into_any()
        } else {
            (0..n).map(|index| view! { <MenuRow id=id.clone() index=index count=count /> }).collect_view().into_any()
        }
    };
    view! {
        <FieldGroup title="Links">
            <ol class="space-y-3">{rows}</ol>
            <button type="button" class=SMALL_BUTTON data-testid="add-menu-link" on:click=add>"+ Add link"</button>
        </FieldGroup>
    }
}

/// One menu link: label, URL, move up/down and remove.
#[component]
fn MenuRow(id: String, index: usize, count: Signal<usize>) -> impl IntoView {
    let ctx = use_editor();
    let label = block_value(ctx, &id, move |b| match &b.kind {
        BlockKind::Menu { links } => links.get(index).map(|l| l.label.clone()),
        _ => None,
    });
    let href = block_value(ctx, &id, move |b| match &b.kind {
        BlockKind::Menu { links } => links.get(index).map(|l| l.href.clone()),
        _ => None,
    });
    let set_label = block_setter(ctx, &id, &format!("menu-label-{index}"), move |b: &mut Block, value: String| {
        if let BlockKind::Menu { links } = &mut b.kind
            && let Some(link) = links.get_mut(index)
        {
            link.label = value;
        }
    });
    let set_href = block_setter(ctx, &id, &format!("menu-href-{index}"), move |b: &mut Block, value: String| {
        if let BlockKind::Menu { links } = &mut b.kind
            && let Some(link) = links.get_mut(index)
        {
            link.href = value;
        }
    });
    // Moves and removals are single steps of their own (no group).
    let change = {
        let id = id.clone();
        move |edit: fn(&mut Vec<MenuLink>, usize)| {
            ctx.update_block(&id, None, |b| {
                if let BlockKind::Menu { links } = &mut b.kind {
                    edit(links, index);
                }
            })
        }
    };
    let up = {
        let change = change.clone();
        move |_: leptos::ev::MouseEvent| {
            change(|links, i| {
                if i > 0 && i < links.len() {
                    links.swap(i, i - 1);
                }
            })
        }
    };
    let down = {
        let change = change.clone();
        move |_: leptos::ev::MouseEvent| {
            change(|links, i| {
                if i + 1 < links.len() {
                    links.swap(i, i + 1);
                }
            })
        }
    };
    let remove = move |_: leptos::ev::MouseEvent| {
        change(|links, i| {
            if i < links.len() {
                links.remove(i);
            }
        })
    };
    let missing_label = required(label, "The link needs a label.");
    let missing_href = required(href, "The link has no address.");
    let number = index + 1;
    view! {
        <li class="space-y-2 rounded-md border border-slate-200 p-2.5 dark:border-slate-700" data-testid="menu-row">
            <div class="flex items-center justify-between gap-2">
                <span class="text-xs font-semibold text-slate-500 dark:text-slate-400">{format!("Link {number}")}</span>
                <div class="flex gap-0.5">
                    <button type="button" class=ICON_BUTTON aria-label=format!("Move link {number} up") title="Move up"
                        disabled=move || index == 0 on:click=up>"↑"</button>
                    <button type="button" class=ICON_BUTTON aria-label=format!("Move link {number} down") title="Move down"
                        disabled={move || index + 1 >= count.get()} on:click=down>"↓"</button>
                    <button type="button" class=ICON_BUTTON aria-label=format!("Remove link {number}") title="Remove"
                        on:click=remove>"✕"</button>
                </div>
            </div>
            <TextInput id=format!("prop-menu-label-{index}-{id}") label="Label" value=label on_input=set_label
                problem=missing_label />
            <TextInput id=format!("prop-menu-href-{index}-{id}") label="URL" value=href on_input=set_href
                monospace=true placeholder="https://…" problem=missing_href />
        </li>
    }
}

/// Column count, stacking on phones and the width of each column.
#[component]
fn ColumnsForm(id: String) -> impl IntoView {
    let ctx = use_editor();
    let toasts = use_toasts();
    let count = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Columns { columns, .. } => Some(columns.len()),
        _ => None,
    });
    let stack = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Columns { stack_on_mobile, .. } => Some(*stack_on_mobile),
        _ => None,
    });
    let total = block_value(ctx, &id, |b| match &b.kind {
        BlockKind::Columns { columns, .. } => {
            Some(columns.iter().map(|c| u32::from(c.width_percent.unwrap_or(0))).sum::<u32>())
        }
        _ => None,
    });
    let set_count = {
        let id = id.clone();
        Callback::new(move |n: usize| {
            if let Err(e) = ctx.edit(None, |doc, _| set_column_count(doc, &id, n)) {
                toasts.error(format!("The number of columns could not be changed: {e}"));
            }
        })
    };
    let set_stack = block_setter(ctx, &id, "stack", |b: &mut Block, value: bool| {
        if let BlockKind::Columns { stack_on_mobile, .. } = &mut b.kind {
            *stack_on_mobile = value;
        }
    });
    let widths = {
        let id = id.clone();
        move || (0..count.get()).map(|index| view! { <ColumnWidth id=id.clone() index=index /> }).collect_view()
    };
    view! {
        <Segmented id=format!("prop-column-count-{id}") label="Columns"
            options=vec![(2usize, "2"), (3usize, "3"), (4usize, "4")] value=count on_change=set_count />
        <p class=HINT>
            "Fewer columns move the blocks of the removed ones into the last column; changing the count makes the widths even again."
        </p>
        <CheckboxField id=format!("prop-stack-{id}") label="Stack on mobile" checked=stack on_change=set_stack
            hint="On phones the columns sit one under the other. Turn off only for narrow content such as icons." />
        <FieldGroup title="Column widths">
            <div class="grid grid-cols-2 gap-3">{widths}</div>
            <p class=HINT>"Leave a width empty to share the remaining space evenly."</p>
            <p class=PROBLEM role="alert" class:hidden={move || total.get() <= 100}>
                {move || format!("The widths add up to {}%: at most 100% fits.", total.get())}
            </p>
        </FieldGroup>
    }
}

/// The width of column `index` in percent; blank shares the rest evenly.
#[component]
fn ColumnWidth(id: String, index: usize) -> impl IntoView {
    let ctx = use_editor();
    let width = block_value(ctx, &id, move |b| match &b.kind {
        BlockKind::Columns { columns, .. } => columns.get(index).map(|c| c.width_percent.map(u32::from)),
        _ => None,
    });
    let set_width =
        block_setter(ctx, &id, &format!("column-width-{index}"), move |b: &mut Block, value: Option<u32>| {
            if let BlockKind::Columns { columns, .. } = &mut b.kind
                && let Some(column) = columns.get_mut(index)
            {
                column.width_percent = value.map(|v| u8::try_from(v).unwrap_or(100));
            }
        });
    view! {
        <NumberField id=format!("prop-column-width-{index}-{id}") label=format!("Column {}", index + 1) value=width
            on_change=set_width min=5 max=95 allow_blank=true placeholder="Even" suffix="%" />
    }
}
