//! Edit operations of the drag-and-drop editor: inserting, removing, moving and duplicating
//! blocks, changing a row's column count, fresh block ids, the palette of new blocks and the
//! undo history.
//!
//! They are plain functions over a [`Document`] so the editor's canvas, outline, keyboard
//! shortcuts and properties panel all change documents the same way, and so every rule can
//! be unit-tested without a browser. Each operation either succeeds or returns an
//! [`EditError`] and leaves the document exactly as it was, so a failed drop never loses a
//! block. The layout rule (see [`super::document`]) is enforced on every insert and move:
//! the editor refuses a drop the validator would later complain about.
//!
//! Lookups go through the tree with explicit stacks (like [`Document::walk`]), so even an
//! absurdly deep document loaded through the API cannot overflow the browser's stack.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{Block, BlockKind, Column, Document, MenuLink, Padding, RichText, SocialLink, SocialNetwork};

/// A list of blocks in the document: where a block can be dropped. Named by container id
/// (not by index path) so a slot stays meaningful while other parts of the document change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parent {
    /// The document's top-level list.
    Root,
    /// The blocks of the section with this id.
    Section(String),
    /// Column `index` (0-based, left to right) of the columns block `columns_id`.
    Column { columns_id: String, index: usize },
}

impl Parent {
    /// Id of the block holding this list (`None` for the top level): what a move must not
    /// be the moved block or one of its descendants.
    pub fn container_id(&self) -> Option<&str> {
        match self {
            Parent::Root => None,
            Parent::Section(id) => Some(id),
            Parent::Column { columns_id, .. } => Some(columns_id),
        }
    }

    /// The place in words, for error messages ("inside a column").
    fn place(&self) -> &'static str {
        match self {
            Parent::Root => "at the top level",
            Parent::Section(_) => "inside a section",
            Parent::Column { .. } => "inside a column",
        }
    }
}

/// A position between blocks of one list: `index` 0 is before the first block, `index ==
/// len` appends. This is what a drop indicator between two visible blocks stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The list the position is in.
    pub parent: Parent,
    /// How many blocks of that list come before the position.
    pub index: usize,
}

/// Why an edit was refused; the document is unchanged whenever one is returned, so the
/// editor can show the message and carry on.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EditError {
    /// No block has this id (it may have been deleted by an earlier edit or an undo).
    #[error("there is no block {0:?}")]
    NotFound(String),
    /// The layout rule forbids the block there (`what`: "a section", `place`: "inside a
    /// column").
    #[error("{what} cannot be placed {place}")]
    NotAllowed { what: String, place: String },
    /// A container was dropped into itself or one of its descendants.
    #[error("a block cannot be moved into itself")]
    IntoItself,
    /// The slot's index (or column index) lies beyond the list.
    #[error("the position is outside the list")]
    IndexOutOfRange,
    /// The slot names a block that holds no list of that kind (e.g. a section id given as a
    /// columns block).
    #[error("the block {0:?} cannot hold blocks there")]
    NotAContainer(String),
    /// A column operation was asked of a block that is not a columns block.
    #[error("the block {0:?} is not a columns block")]
    NotColumns(String),
    /// Columns blocks have 2 to 4 columns (what MJML lays out well on every client).
    #[error("a columns block has 2 to 4 columns, not {0}")]
    ColumnCount(usize),
    /// The inserted block (or one inside it) has an id already in the document; ids must
    /// stay unique for selection, lookups and validation.
    #[error("the id {0:?} is already used in the document")]
    DuplicateId(String),
}

/// The list of blocks `parent` names, if it exists; the canvas renders drop slots from it.
pub fn blocks_at<'a>(doc: &'a Document, parent: &Parent) -> Option<&'a Vec<Block>> {
    resolve(doc, parent).ok()
}

/// The list of blocks `parent` names, for changing it in place.
pub fn blocks_at_mut<'a>(doc: &'a mut Document, parent: &Parent) -> Option<&'a mut Vec<Block>> {
    resolve_mut(doc, parent).ok()
}

/// True when the layout rule lets `block` stand directly in `parent`: anything at the top
/// level, anything but a section inside a section, only content blocks inside a column. The
/// canvas uses it to show or hide drop indicators while dragging.
pub fn parent_allows(parent: &Parent, block: &Block) -> bool {
    match parent {
        Parent::Root => true,
        Parent::Section(_) => !matches!(block.kind, BlockKind::Section { .. }),
        Parent::Column { .. } => !block.is_container(),
    }
}

/// Inserts `block` at `slot` (palette drops, pastes). Refused when the layout rule forbids
/// it there, the slot does not exist, or an id inside `block` is already in the document.
pub fn insert(doc: &mut Document, slot: &Slot, block: Block) -> Result<(), EditError> {
    let duplicate = {
        let mut seen: HashSet<&str> = doc.walk().map(|(_, b)| b.id.as_str()).collect();
        subtree(&block).into_iter().find(|b| !seen.insert(b.id.as_str())).map(|b| b.id.clone())
    };
    if let Some(id) = duplicate {
        return Err(EditError::DuplicateId(id));
    }
    check_slot(doc, slot, &block)?;
    match resolve_mut(doc, &slot.parent) {
        Ok(list) if slot.index <= list.len() => {
            list.insert(slot.index, block);
            Ok(())
        }
        Ok(_) => Err(EditError::IndexOutOfRange),
        Err(e) => Err(e),
    }
}

/// Removes the block with `id` (and everything inside it) and returns it (delete, cut).
pub fn remove(doc: &mut Document, id: &str) -> Result<Block, EditError> {
    let slot = slot_of(doc, id).ok_or_else(|| EditError::NotFound(id.to_owned()))?;
    let list = resolve_mut(doc, &slot.parent)?;
    if slot.index >= list.len() {
        return Err(EditError::IndexOutOfRange);
    }
    Ok(list.remove(slot.index))
}

/// Moves the block with `id` to `to` (drag and drop). `to.index` counts positions as they
/// are before the block is taken out — the gap between two visible blocks — so dropping a
/// block just before or just after itself changes nothing. Refused (document unchanged)
/// when the target is inside the moved block, breaks the layout rule or does not exist.
pub fn move_block(doc: &mut Document, id: &str, to: &Slot) -> Result<(), EditError> {
    let (from, block) = locate(doc, id).ok_or_else(|| EditError::NotFound(id.to_owned()))?;
    if let Some(target) = to.parent.container_id()
        && subtree(block).iter().any(|b| b.id == target)
    {
        return Err(EditError::IntoItself);
    }
    check_slot(doc, to, block)?;
    let same_list = from.parent == to.parent;
    let at = if same_list && from.index < to.index { to.index - 1 } else { to.index };
    if same_list && at == from.index {
        return Ok(());
    }

    let list = resolve_mut(doc, &from.parent)?;
    if from.index >= list.len() {
        return Err(EditError::IndexOutOfRange);
    }
    let moved = list.remove(from.index);
    let error = match resolve_mut(doc, &to.parent) {
        Ok(list) if at <= list.len() => {
            list.insert(at, moved);
            return Ok(());
        }
        Ok(_) => EditError::IndexOutOfRange,
        Err(e) => e,
    };
    // Only reachable for documents with duplicate ids; put the block back where it was.
    if let Ok(list) = resolve_mut(doc, &from.parent) {
        let back = from.index.min(list.len());
        list.insert(back, moved);
    }
    Err(error)
}

/// Moves the block with `id` by `delta` places within its own list (keyboard up/down,
/// outline arrows), clamped to the list; at the edge it is a successful no-op so holding
/// the key does not flash errors.
pub fn move_by(doc: &mut Document, id: &str, delta: isize) -> Result<(), EditError> {
    let slot = slot_of(doc, id).ok_or_else(|| EditError::NotFound(id.to_owned()))?;
    let list = resolve_mut(doc, &slot.parent)?;
    let len = list.len();
    if slot.index >= len {
        return Err(EditError::IndexOutOfRange);
    }
    let target = if delta < 0 {
        slot.index.saturating_sub(delta.unsigned_abs())
    } else {
        slot.index.saturating_add(delta.unsigned_abs()).min(len - 1)
    };
    if target != slot.index {
        let block = list.remove(slot.index);
        list.insert(target, block);
    }
    Ok(())
}

/// Copies the block with `id` (deeply) and inserts the copy right after it. Every block of
/// the copy gets a fresh id from `ids` (skipping any already in the document), so selection
/// and validation keep working. Returns the copy's id, which the editor selects.
pub fn duplicate(doc: &mut Document, id: &str, ids: &mut IdGen) -> Result<String, EditError> {
    let (slot, block) = locate(doc, id).ok_or_else(|| EditError::NotFound(id.to_owned()))?;
    let mut copy = block.clone();
    give_fresh_ids(doc, &mut copy, ids);
    let copy_id = copy.id.clone();
    let at = slot.index + 1;
    match resolve_mut(doc, &slot.parent) {
        Ok(list) if at <= list.len() => {
            list.insert(at, copy);
            Ok(copy_id)
        }
        Ok(_) => Err(EditError::IndexOutOfRange),
        Err(e) => Err(e),
    }
}

/// Gives `block` and every block inside it a new id from `ids` that the document does not
/// use yet: what pasted or copied blocks need before [`insert`] accepts them.
pub fn give_fresh_ids(doc: &Document, block: &mut Block, ids: &mut IdGen) {
    let mut taken: HashSet<String> = doc.walk().map(|(_, b)| b.id.clone()).collect();
    let mut stack = vec![block];
    while let Some(b) = stack.pop() {
        b.id = loop {
            let id = ids.next_id();
            if taken.insert(id.clone()) {
                break id;
            }
        };
        match &mut b.kind {
            BlockKind::Section { blocks } => stack.extend(blocks.iter_mut()),
            BlockKind::Columns { columns, .. } => stack.extend(columns.iter_mut().flat_map(|c| c.blocks.iter_mut())),
            _ => {}
        }
    }
}

/// Where the block with `id` is now (its list and index): the starting point of keyboard
/// moves and of "insert before".
pub fn slot_of(doc: &Document, id: &str) -> Option<Slot> {
    locate(doc, id).map(|(slot, _)| slot)
}

/// The slot just after the block with `id` in the same list: where the palette inserts
/// when a block is selected.
pub fn slot_after(doc: &Document, id: &str) -> Option<Slot> {
    slot_of(doc, id).map(|slot| Slot { parent: slot.parent, index: slot.index + 1 })
}

/// Changes how many columns (2–4) the columns block `columns_id` has. New columns start
/// empty; when shrinking, the blocks of removed columns move to the end of the last kept
/// column so no content is lost. Widths go back to even shares because old percentages
/// rarely fit the new count. The same count is a no-op (widths kept).
pub fn set_column_count(doc: &mut Document, columns_id: &str, count: usize) -> Result<(), EditError> {
    if !(2..=4).contains(&count) {
        return Err(EditError::ColumnCount(count));
    }
    let block =
        find_block_mut(&mut doc.blocks, columns_id).ok_or_else(|| EditError::NotFound(columns_id.to_owned()))?;
    let BlockKind::Columns { columns, .. } = &mut block.kind else {
        return Err(EditError::NotColumns(columns_id.to_owned()));
    };
    if columns.len() == count {
        return Ok(());
    }
    if columns.len() < count {
        columns.resize_with(count, Column::default);
    } else {
        let removed: Vec<Column> = columns.drain(count..).collect();
        if let Some(last) = columns.last_mut() {
            for column in removed {
                last.blocks.extend(column.blocks);
            }
        }
    }
    for column in columns.iter_mut() {
        column.width_percent = None;
    }
    Ok(())
}

/// Highest `b<N>` number [`IdGen::for_document`] takes into account; larger ones can never
/// be reached by counting, so they cannot collide and are ignored (keeps `next_id` far
/// from overflow).
const ID_CEILING: u64 = 1_000_000_000_000;

/// Hands out block ids `b1`, `b2`, … that are new to the document: short, readable in the
/// JSON and in `data-testid`s, and never reused during an editing session (undo may bring
/// back blocks with old ids, so counting only goes up).
#[derive(Clone, Debug, Default)]
pub struct IdGen {
    /// Number of the last id handed out (or taken by the document); the next is one more.
    last: u64,
}

impl IdGen {
    /// A generator whose ids come after the largest `b<N>` in `doc`; ids of any other shape
    /// cannot collide with `b<N>` and are simply avoided.
    pub fn for_document(doc: &Document) -> Self {
        let mut ids = IdGen::default();
        ids.avoid(doc);
        ids
    }

    /// Makes later ids come after every `b<N>` in `doc` too: for when another document
    /// (a restored version) joins the undo history, so neither can collide with new ids.
    pub fn avoid(&mut self, doc: &Document) {
        for (_, block) in doc.walk() {
            if let Some(n) = id_number(&block.id)
                && n > self.last
            {
                self.last = n;
            }
        }
    }

    /// The next fresh id.
    pub fn next_id(&mut self) -> String {
        self.last = self.last.saturating_add(1);
        format!("b{}", self.last)
    }
}

/// `N` of an id shaped `b<N>` (ASCII digits only), when it is within [`ID_CEILING`].
fn id_number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix('b')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok().filter(|n| *n <= ID_CEILING)
}

/// Image every new image block shows until someone picks their own; shipped with the
/// product and resolved against the server's public URL at send time.
const PLACEHOLDER_IMAGE: &str = "{{ site_url }}/static/starters/placeholder.png";

/// The blocks the editor's palette offers. A closed list so drag data, test ids and the
/// blocks they make stay in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaletteItem {
    Section,
    Columns2,
    Columns3,
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

impl PaletteItem {
    /// Every item, in the order the palette lists them (layout first, then content).
    pub const ALL: [PaletteItem; 13] = [
        Self::Section,
        Self::Columns2,
        Self::Columns3,
        Self::Heading,
        Self::Text,
        Self::Image,
        Self::Button,
        Self::Divider,
        Self::Spacer,
        Self::Social,
        Self::Menu,
        Self::RawHtml,
        Self::Footer,
    ];

    /// Stable key (same as the serde name): carried in drag data and `data-testid`s.
    pub fn key(self) -> &'static str {
        match self {
            Self::Section => "section",
            Self::Columns2 => "columns2",
            Self::Columns3 => "columns3",
            Self::Heading => "heading",
            Self::Text => "text",
            Self::Image => "image",
            Self::Button => "button",
            Self::Divider => "divider",
            Self::Spacer => "spacer",
            Self::Social => "social",
            Self::Menu => "menu",
            Self::RawHtml => "raw_html",
            Self::Footer => "footer",
        }
    }

    /// The item with `key` (from drag data), if there is one.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.key() == key)
    }

    /// Name on the palette tile.
    pub fn label(self) -> &'static str {
        match self {
            Self::Section => "Section",
            Self::Columns2 => "2 columns",
            Self::Columns3 => "3 columns",
            Self::Heading => "Heading",
            Self::Text => "Text",
            Self::Image => "Image",
            Self::Button => "Button",
            Self::Divider => "Divider",
            Self::Spacer => "Spacer",
            Self::Social => "Social links",
            Self::Menu => "Menu",
            Self::RawHtml => "HTML",
            Self::Footer => "Footer",
        }
    }

    /// One line under the tile (and its tooltip) saying what the block is for.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Section => "A band with its own background that groups other blocks.",
            Self::Columns2 => "Two blocks side by side; they stack on phones.",
            Self::Columns3 => "Three blocks side by side; they stack on phones.",
            Self::Heading => "A title that stands out.",
            Self::Text => "Paragraphs and lists with bold, italic and links.",
            Self::Image => "A picture, optionally linked.",
            Self::Button => "A clear call to action.",
            Self::Divider => "A thin line between parts of the email.",
            Self::Spacer => "Empty space between blocks.",
            Self::Social => "Icons linking to your social profiles.",
            Self::Menu => "A row of text links, like a site menu.",
            Self::RawHtml => "HTML you write yourself, inserted as it is.",
            Self::Footer => "Small print with your address and the unsubscribe link.",
        }
    }

    /// A new block of this kind with content that already looks right, so a dropped block
    /// shows what it does and people edit rather than fill in. Ids come from `ids`
    /// (container first, then its content).
    pub fn make(self, ids: &mut IdGen) -> Block {
        match self {
            Self::Section => {
                let id = ids.next_id();
                let inner = text_block(ids, "A section groups blocks on a band of colour. Drop more blocks here.");
                Block::new(id, BlockKind::Section { blocks: vec![inner] }).with_style(|s| {
                    s.background_color = Some("#f3f4f6".to_owned());
                    s.padding = Padding::symmetric(16, 0);
                })
            }
            Self::Columns2 => columns_block(ids, 2),
            Self::Columns3 => columns_block(ids, 3),
            Self::Heading => {
                Block::new(ids.next_id(), BlockKind::Heading { level: 2, text: RichText::plain("Your headline") })
            }
            Self::Text => {
                text_block(ids, "Write your message here. Short paragraphs with one idea each are easiest to read.")
            }
            Self::Image => Block::new(
                ids.next_id(),
                BlockKind::Image {
                    src: PLACEHOLDER_IMAGE.to_owned(),
                    alt: "Describe the image".to_owned(),
                    href: None,
                    width: None,
                },
            ),
            Self::Button => Block::new(
                ids.next_id(),
                BlockKind::Button {
                    label: "Read more".to_owned(),
                    href: "https://example.com".to_owned(),
                    background_color: "#2563eb".to_owned(),
                    text_color: "#ffffff".to_owned(),
                    border_radius: 6,
                },
            ),
            Self::Divider => {
                Block::new(ids.next_id(), BlockKind::Divider { color: "#e5e7eb".to_owned(), thickness: 1 })
            }
            Self::Spacer => Block::new(ids.next_id(), BlockKind::Spacer { height: 24 }),
            Self::Social => {
                let links = [
                    (SocialNetwork::Facebook, "https://www.facebook.com/"),
                    (SocialNetwork::X, "https://x.com/"),
                    (SocialNetwork::Instagram, "https://www.instagram.com/"),
                ]
                .into_iter()
                .map(|(network, url)| SocialLink { network, url: url.to_owned() })
                .collect();
                Block::new(ids.next_id(), BlockKind::Social { links })
            }
            Self::Menu => {
                let links = [
                    ("Blog", "https://example.com/blog"),
                    ("Products", "https://example.com/products"),
                    ("About", "https://example.com/about"),
                ]
                .into_iter()
                .map(|(label, href)| MenuLink { label: label.to_owned(), href: href.to_owned() })
                .collect();
                Block::new(ids.next_id(), BlockKind::Menu { links })
            }
            Self::RawHtml => Block::new(
                ids.next_id(),
                BlockKind::RawHtml { html: "<p style=\"margin:0;\">Your own HTML goes here.</p>".to_owned() },
            ),
            Self::Footer => Block::new(
                ids.next_id(),
                BlockKind::Footer {
                    text: RichText::plain("You receive this email because you subscribed to our list."),
                    // Filled from the sender's settings at send time, like the starters'.
                    postal_address: "{{ postal_address }}".to_owned(),
                },
            )
            .with_style(|s| s.padding = Padding::symmetric(24, 25)),
        }
    }
}

fn text_block(ids: &mut IdGen, text: &str) -> Block {
    Block::new(ids.next_id(), BlockKind::Text { text: RichText::plain(text) })
}

fn columns_block(ids: &mut IdGen, count: usize) -> Block {
    let id = ids.next_id();
    let mut columns = Vec::with_capacity(count);
    for _ in 0..count {
        let text = text_block(ids, "Column text. Keep it short: columns sit side by side on wide screens.");
        columns.push(Column { width_percent: None, blocks: vec![text] });
    }
    Block::new(id, BlockKind::Columns { columns, stack_on_mobile: true })
}

/// Undo and redo as whole-document snapshots: documents are small (a few hundred blocks at
/// most), and snapshots cannot drift out of step with the edits the way inverse operations
/// can.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Document>,
    redo: Vec<Document>,
    /// Group and time of the last recorded edit, for coalescing typing into one step.
    last: Option<(String, f64)>,
}

/// Edits of one group closer together than this undo as one step.
const COALESCE_MS: f64 = 1000.0;

impl History {
    /// Most undo (and redo) steps kept: bounds memory during long sessions.
    pub const LIMIT: usize = 200;

    /// Records an edit: `before` is the document as it was. A new edit makes the redo steps
    /// meaningless, so they are dropped. Edits of the same `group` (e.g. typing in one
    /// block) less than a second after the previous one join its step instead of adding
    /// one, so undo does not go back a keystroke at a time; `None` never joins.
    pub fn record(&mut self, before: Document, group: Option<&str>, now_ms: f64) {
        self.redo.clear();
        let coalesce = match (group, &self.last) {
            (Some(group), Some((last, at))) => {
                group == last && (0.0..COALESCE_MS).contains(&(now_ms - at)) && !self.undo.is_empty()
            }
            _ => false,
        };
        if !coalesce {
            push_bounded(&mut self.undo, before);
        }
        self.last = group.map(|g| (g.to_owned(), now_ms));
    }

    /// Steps back: `current` goes onto the redo stack and the previous document is returned
    /// (`None` when there is nothing to undo). The next edit starts a new step.
    pub fn undo(&mut self, current: Document) -> Option<Document> {
        let previous = self.undo.pop()?;
        push_bounded(&mut self.redo, current);
        self.last = None;
        Some(previous)
    }

    /// Re-applies the step last undone: `current` goes back onto the undo stack.
    pub fn redo(&mut self, current: Document) -> Option<Document> {
        let next = self.redo.pop()?;
        push_bounded(&mut self.undo, current);
        self.last = None;
        Some(next)
    }

    /// Whether the undo button is enabled.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether the redo button is enabled.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

fn push_bounded(stack: &mut Vec<Document>, doc: Document) {
    stack.push(doc);
    if stack.len() > History::LIMIT {
        let excess = stack.len() - History::LIMIT;
        stack.drain(..excess);
    }
}

/// "a section" / "columns" / "this block", for [`EditError::NotAllowed`].
fn noun(block: &Block) -> &'static str {
    match block.kind {
        BlockKind::Section { .. } => "a section",
        BlockKind::Columns { .. } => "columns",
        _ => "this block",
    }
}

/// Checks that `block` may be put at `slot`: layout rule, list exists, index in range.
fn check_slot(doc: &Document, slot: &Slot, block: &Block) -> Result<(), EditError> {
    if !parent_allows(&slot.parent, block) {
        return Err(EditError::NotAllowed { what: noun(block).to_owned(), place: slot.parent.place().to_owned() });
    }
    let list = resolve(doc, &slot.parent)?;
    if slot.index > list.len() {
        return Err(EditError::IndexOutOfRange);
    }
    Ok(())
}

fn resolve<'a>(doc: &'a Document, parent: &Parent) -> Result<&'a Vec<Block>, EditError> {
    match parent {
        Parent::Root => Ok(&doc.blocks),
        Parent::Section(id) => match find_block(&doc.blocks, id) {
            None => Err(EditError::NotFound(id.clone())),
            Some(Block { kind: BlockKind::Section { blocks }, .. }) => Ok(blocks),
            Some(_) => Err(EditError::NotAContainer(id.clone())),
        },
        Parent::Column { columns_id, index } => match find_block(&doc.blocks, columns_id) {
            None => Err(EditError::NotFound(columns_id.clone())),
            Some(Block { kind: BlockKind::Columns { columns, .. }, .. }) => {
                columns.get(*index).map(|c| &c.blocks).ok_or(EditError::IndexOutOfRange)
            }
            Some(_) => Err(EditError::NotAContainer(columns_id.clone())),
        },
    }
}

fn resolve_mut<'a>(doc: &'a mut Document, parent: &Parent) -> Result<&'a mut Vec<Block>, EditError> {
    match parent {
        Parent::Root => Ok(&mut doc.blocks),
        Parent::Section(id) => match find_block_mut(&mut doc.blocks, id) {
            None => Err(EditError::NotFound(id.clone())),
            Some(Block { kind: BlockKind::Section { blocks }, .. }) => Ok(blocks),
            Some(_) => Err(EditError::NotAContainer(id.clone())),
        },
        Parent::Column { columns_id, index } => match find_block_mut(&mut doc.blocks, columns_id) {
            None => Err(EditError::NotFound(columns_id.clone())),
            Some(Block { kind: BlockKind::Columns { columns, .. }, .. }) => {
                columns.get_mut(*index).map(|c| &mut c.blocks).ok_or(EditError::IndexOutOfRange)
            }
            Some(_) => Err(EditError::NotAContainer(columns_id.clone())),
        },
    }
}

/// The first block with `id` in document order (parents before children, columns left to
/// right) — the same order as [`locate`] and [`find_block_mut`], so all lookups agree even
/// on a document with duplicate ids.
fn find_block<'a>(blocks: &'a [Block], id: &str) -> Option<&'a Block> {
    let mut stack: Vec<&Block> = blocks.iter().rev().collect();
    while let Some(block) = stack.pop() {
        if block.id == id {
            return Some(block);
        }
        match &block.kind {
            BlockKind::Section { blocks } => stack.extend(blocks.iter().rev()),
            BlockKind::Columns { columns, .. } => {
                stack.extend(columns.iter().rev().flat_map(|c| c.blocks.iter().rev()))
            }
            _ => {}
        }
    }
    None
}

/// Mutable twin of [`find_block`], same order.
fn find_block_mut<'a>(blocks: &'a mut [Block], id: &str) -> Option<&'a mut Block> {
    let mut stack: Vec<&mut Block> = blocks.iter_mut().rev().collect();
    while let Some(block) = stack.pop() {
        if block.id == id {
            return Some(block);
        }
        match &mut block.kind {
            BlockKind::Section { blocks } => stack.extend(blocks.iter_mut().rev()),
            BlockKind::Columns { columns, .. } => {
                stack.extend(columns.iter_mut().rev().flat_map(|c| c.blocks.iter_mut().rev()))
            }
            _ => {}
        }
    }
    None
}

/// The first block with `id` in document order and the slot it occupies.
fn locate<'a>(doc: &'a Document, id: &str) -> Option<(Slot, &'a Block)> {
    let mut stack: Vec<(Parent, usize, &Block)> = Vec::new();
    push_list(&mut stack, &Parent::Root, &doc.blocks);
    while let Some((parent, index, block)) = stack.pop() {
        if block.id == id {
            return Some((Slot { parent, index }, block));
        }
        match &block.kind {
            BlockKind::Section { blocks } => push_list(&mut stack, &Parent::Section(block.id.clone()), blocks),
            BlockKind::Columns { columns, .. } => {
                for (index, column) in columns.iter().enumerate().rev() {
                    let parent = Parent::Column { columns_id: block.id.clone(), index };
                    push_list(&mut stack, &parent, &column.blocks);
                }
            }
            _ => {}
        }
    }
    None
}

/// Pushes a list's blocks so that its first block is popped first.
fn push_list<'a>(stack: &mut Vec<(Parent, usize, &'a Block)>, parent: &Parent, blocks: &'a [Block]) {
    for (index, block) in blocks.iter().enumerate().rev() {
        stack.push((parent.clone(), index, block));
    }
}

/// `block` and everything inside it, parents first.
fn subtree(block: &Block) -> Vec<&Block> {
    let mut out = Vec::new();
    let mut stack = vec![block];
    while let Some(b) = stack.pop() {
        out.push(b);
        let mut children = b.children();
        children.reverse();
        stack.extend(children);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::Problem;

    fn text(id: &str) -> Block {
        Block::new(id, BlockKind::Text { text: RichText::plain(id) })
    }

    fn section(id: &str, blocks: Vec<Block>) -> Block {
        Block::new(id, BlockKind::Section { blocks })
    }

    fn columns(id: &str, cols: Vec<Vec<Block>>) -> Block {
        let columns = cols.into_iter().map(|blocks| Column { width_percent: Some(50), blocks }).collect();
        Block::new(id, BlockKind::Columns { columns, stack_on_mobile: true })
    }

    /// `a b c s[ s1 k[ (k0a) (k1a k1b) ] ] footer`
    fn sample() -> Document {
        let cols = columns("k", vec![vec![text("k0a")], vec![text("k1a"), text("k1b")]]);
        Document {
            settings: Default::default(),
            blocks: vec![
                text("a"),
                text("b"),
                text("c"),
                section("s", vec![text("s1"), cols]),
                Block::new(
                    "footer",
                    BlockKind::Footer { text: RichText::default(), postal_address: "1 Main St".into() },
                ),
            ],
        }
    }

    fn ids_in(doc: &Document, parent: &Parent) -> Vec<String> {
        blocks_at(doc, parent).unwrap().iter().map(|b| b.id.clone()).collect()
    }

    fn root(index: usize) -> Slot {
        Slot { parent: Parent::Root, index }
    }

    fn column(index: usize, at: usize) -> Slot {
        Slot { parent: Parent::Column { columns_id: "k".into(), index }, index: at }
    }

    fn all_ids_unique(doc: &Document) -> bool {
        let ids: HashSet<&str> = doc.walk().map(|(_, b)| b.id.as_str()).collect();
        ids.len() == doc.block_count()
    }

    #[test]
    fn lists_are_found_by_parent() {
        let doc = sample();
        assert_eq!(ids_in(&doc, &Parent::Section("s".into())), ["s1", "k"]);
        assert_eq!(ids_in(&doc, &Parent::Column { columns_id: "k".into(), index: 1 }), ["k1a", "k1b"]);
        assert!(blocks_at(&doc, &Parent::Column { columns_id: "k".into(), index: 2 }).is_none());
        assert!(blocks_at(&doc, &Parent::Section("a".into())).is_none());
        assert!(blocks_at(&doc, &Parent::Section("nope".into())).is_none());
        assert_eq!(slot_of(&doc, "k1b"), Some(column(1, 1)));
        assert_eq!(slot_after(&doc, "c"), Some(root(3)));
        assert_eq!(slot_of(&doc, "nope"), None);
    }

    #[test]
    fn insert_respects_the_layout_rule() {
        let mut doc = sample();
        let err = insert(&mut doc, &column(0, 0), section("new-s", vec![])).unwrap_err();
        assert_eq!(err, EditError::NotAllowed { what: "a section".into(), place: "inside a column".into() });
        assert_eq!(err.to_string(), "a section cannot be placed inside a column");
        assert!(matches!(
            insert(&mut doc, &column(0, 0), columns("new-k", vec![vec![], vec![]])),
            Err(EditError::NotAllowed { .. })
        ));
        assert!(matches!(
            insert(&mut doc, &Slot { parent: Parent::Section("s".into()), index: 0 }, section("x", vec![])),
            Err(EditError::NotAllowed { .. })
        ));
        assert_eq!(doc, sample());

        insert(&mut doc, &Slot { parent: Parent::Section("s".into()), index: 2 }, columns("k2", vec![vec![], vec![]]))
            .unwrap();
        assert_eq!(ids_in(&doc, &Parent::Section("s".into())), ["s1", "k", "k2"]);
        insert(&mut doc, &column(0, 1), text("t")).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Column { columns_id: "k".into(), index: 0 }), ["k0a", "t"]);
        insert(&mut doc, &root(0), section("s2", vec![])).unwrap();
        assert_eq!(doc.validate(), vec![]);

        assert_eq!(insert(&mut doc, &root(99), text("u")), Err(EditError::IndexOutOfRange));
        assert_eq!(insert(&mut doc, &root(0), text("a")), Err(EditError::DuplicateId("a".into())));
        assert_eq!(
            insert(&mut doc, &root(0), section("fresh", vec![text("k0a")])),
            Err(EditError::DuplicateId("k0a".into()))
        );
        assert_eq!(
            insert(&mut doc, &Slot { parent: Parent::Section("gone".into()), index: 0 }, text("u")),
            Err(EditError::NotFound("gone".into()))
        );
        assert_eq!(
            insert(&mut doc, &Slot { parent: Parent::Section("a".into()), index: 0 }, text("u")),
            Err(EditError::NotAContainer("a".into()))
        );
    }

    #[test]
    fn remove_returns_the_block_with_its_content() {
        let mut doc = sample();
        let removed = remove(&mut doc, "s").unwrap();
        assert_eq!(subtree(&removed).len(), 6);
        assert_eq!(ids_in(&doc, &Parent::Root), ["a", "b", "c", "footer"]);
        assert_eq!(remove(&mut doc, "k1a"), Err(EditError::NotFound("k1a".into())));
    }

    #[test]
    fn moves_within_a_list_use_positions_before_removal() {
        let mut doc = sample();
        // Down: "a" dropped in the gap between "b" and "c".
        move_block(&mut doc, "a", &root(2)).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["b", "a", "c", "s", "footer"]);
        // Up: "c" dropped before the first block.
        move_block(&mut doc, "c", &root(0)).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["c", "b", "a", "s", "footer"]);
        // Just before or just after itself: nothing changes.
        let before = doc.clone();
        move_block(&mut doc, "b", &root(1)).unwrap();
        move_block(&mut doc, "b", &root(2)).unwrap();
        assert_eq!(doc, before);
        // Append at the end.
        move_block(&mut doc, "c", &root(5)).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["b", "a", "s", "footer", "c"]);
        assert_eq!(move_block(&mut doc, "c", &root(6)), Err(EditError::IndexOutOfRange));
        assert_eq!(move_block(&mut doc, "zzz", &root(0)), Err(EditError::NotFound("zzz".into())));
    }

    #[test]
    fn blocks_move_into_columns_and_out_again() {
        let mut doc = sample();
        move_block(&mut doc, "a", &column(0, 1)).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Column { columns_id: "k".into(), index: 0 }), ["k0a", "a"]);
        assert_eq!(ids_in(&doc, &Parent::Root), ["b", "c", "s", "footer"]);
        move_block(&mut doc, "k1b", &root(0)).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["k1b", "b", "c", "s", "footer"]);
        assert_eq!(ids_in(&doc, &Parent::Column { columns_id: "k".into(), index: 1 }), ["k1a"]);
        // Columns leave their section for the top level, and may not go into a column.
        move_block(&mut doc, "k", &root(1)).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Section("s".into())), ["s1"]);
        assert!(matches!(move_block(&mut doc, "s", &column(0, 0)), Err(EditError::NotAllowed { .. })));
        assert_eq!(doc.validate(), vec![]);
    }

    #[test]
    fn containers_cannot_move_into_themselves() {
        let mut doc = sample();
        let before = doc.clone();
        let into_section = Slot { parent: Parent::Section("s".into()), index: 0 };
        assert_eq!(move_block(&mut doc, "s", &into_section), Err(EditError::IntoItself));
        assert_eq!(move_block(&mut doc, "s", &column(1, 0)), Err(EditError::IntoItself));
        assert_eq!(move_block(&mut doc, "k", &column(1, 0)), Err(EditError::IntoItself));
        assert_eq!(move_block(&mut doc, "k0a", &column(5, 0)), Err(EditError::IndexOutOfRange));
        assert_eq!(doc, before);
    }

    #[test]
    fn duplicates_get_fresh_ids_all_the_way_down() {
        let mut doc = sample();
        let mut ids = IdGen::for_document(&doc);
        let copy = duplicate(&mut doc, "s", &mut ids).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["a", "b", "c", "s", copy.as_str(), "footer"]);

        // Same content, different ids.
        let original = doc.find("s").unwrap();
        let duplicated = doc.find(&copy).unwrap();
        assert_eq!(subtree(original).len(), subtree(duplicated).len());
        for (o, d) in subtree(original).into_iter().zip(subtree(duplicated)) {
            assert_ne!(o.id, d.id);
            assert_eq!(o.style, d.style);
            if !o.is_container() {
                assert_eq!(o.kind, d.kind);
            }
        }

        let copy_again = duplicate(&mut doc, &copy, &mut ids).unwrap();
        assert_ne!(copy, copy_again);
        let text_copy = duplicate(&mut doc, "k1a", &mut ids).unwrap();
        assert_eq!(slot_of(&doc, &text_copy), Some(column(1, 1)));
        assert!(all_ids_unique(&doc));
        assert_eq!(doc.block_count(), 10 + 6 + 6 + 1);
        assert_eq!(doc.validate(), vec![]);
        assert_eq!(duplicate(&mut doc, "nope", &mut ids), Err(EditError::NotFound("nope".into())));
    }

    #[test]
    fn duplicate_skips_ids_the_generator_does_not_know_about() {
        let mut doc = sample();
        doc.blocks.insert(0, text("b1"));
        doc.blocks.insert(0, text("b2"));
        let mut ids = IdGen::default();
        let copy = duplicate(&mut doc, "a", &mut ids).unwrap();
        assert_eq!(copy, "b3");
        assert!(all_ids_unique(&doc));
    }

    #[test]
    fn keyboard_moves_stop_at_the_edges() {
        let mut doc = sample();
        move_by(&mut doc, "a", -1).unwrap();
        assert_eq!(doc, sample());
        move_by(&mut doc, "b", 1).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["a", "c", "b", "s", "footer"]);
        move_by(&mut doc, "b", -2).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["b", "a", "c", "s", "footer"]);
        move_by(&mut doc, "a", 100).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["b", "c", "s", "footer", "a"]);
        move_by(&mut doc, "a", isize::MAX).unwrap();
        move_by(&mut doc, "b", isize::MIN).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Root), ["b", "c", "s", "footer", "a"]);
        move_by(&mut doc, "k1b", -1).unwrap();
        assert_eq!(ids_in(&doc, &Parent::Column { columns_id: "k".into(), index: 1 }), ["k1b", "k1a"]);
        assert_eq!(move_by(&mut doc, "zzz", 1), Err(EditError::NotFound("zzz".into())));
    }

    #[test]
    fn column_counts_change_without_losing_blocks() {
        let mut doc = sample();
        set_column_count(&mut doc, "k", 4).unwrap();
        let count = doc.block_count();
        let BlockKind::Columns { columns: cols, .. } = &doc.find("k").unwrap().kind else { panic!("not columns") };
        assert_eq!(cols.len(), 4);
        assert!(cols.iter().all(|c| c.width_percent.is_none()));
        insert(&mut doc, &column(3, 0), text("k3a")).unwrap();
        insert(&mut doc, &column(2, 0), text("k2a")).unwrap();

        set_column_count(&mut doc, "k", 2).unwrap();
        assert_eq!(doc.block_count(), count + 2);
        assert_eq!(ids_in(&doc, &Parent::Column { columns_id: "k".into(), index: 1 }), ["k1a", "k1b", "k2a", "k3a"]);
        assert_eq!(doc.validate(), vec![]);

        let before = doc.clone();
        assert_eq!(set_column_count(&mut doc, "k", 5), Err(EditError::ColumnCount(5)));
        assert_eq!(set_column_count(&mut doc, "k", 1), Err(EditError::ColumnCount(1)));
        assert_eq!(set_column_count(&mut doc, "s", 3), Err(EditError::NotColumns("s".into())));
        assert_eq!(set_column_count(&mut doc, "nope", 3), Err(EditError::NotFound("nope".into())));
        set_column_count(&mut doc, "k", 2).unwrap();
        assert_eq!(doc, before);
    }

    #[test]
    fn id_generator_counts_past_existing_ids() {
        let mut doc = sample();
        for id in ["b3", "b10", "bx", "b", "b07x", "c99", "b+40", "b99999999999999999999999"] {
            doc.blocks.push(text(id));
        }
        let mut ids = IdGen::for_document(&doc);
        assert_eq!(ids.next_id(), "b11");
        assert_eq!(ids.next_id(), "b12");
        assert_eq!(IdGen::default().next_id(), "b1");

        let mut other = Document::blank();
        other.blocks.push(text("b50"));
        ids.avoid(&other);
        assert_eq!(ids.next_id(), "b51");
        ids.avoid(&doc);
        assert_eq!(ids.next_id(), "b52");
    }

    fn version(n: u16) -> Document {
        Document { settings: Default::default(), blocks: vec![Block::new("s", BlockKind::Spacer { height: n })] }
    }

    #[test]
    fn history_undoes_and_redoes_in_order() {
        let mut h = History::default();
        assert!(!h.can_undo() && !h.can_redo());
        assert_eq!(h.undo(version(0)), None);
        h.record(version(0), None, 0.0);
        h.record(version(1), None, 10.0);
        // Current is 2.
        assert_eq!(h.undo(version(2)), Some(version(1)));
        assert_eq!(h.undo(version(1)), Some(version(0)));
        assert_eq!(h.undo(version(0)), None);
        assert!(h.can_redo() && !h.can_undo());
        assert_eq!(h.redo(version(0)), Some(version(1)));
        assert_eq!(h.redo(version(1)), Some(version(2)));
        assert_eq!(h.redo(version(2)), None);
        assert_eq!(h.undo(version(2)), Some(version(1)));

        // A new edit drops what could be redone.
        h.record(version(1), None, 20.0);
        assert!(!h.can_redo());
        assert_eq!(h.redo(version(3)), None);
        assert_eq!(h.undo(version(3)), Some(version(1)));
    }

    #[test]
    fn history_coalesces_quick_edits_of_one_group() {
        let mut h = History::default();
        h.record(version(0), Some("text:a"), 0.0);
        h.record(version(1), Some("text:a"), 500.0);
        h.record(version(2), Some("text:a"), 1400.0); // 900 ms after the previous one
        h.record(version(3), Some("text:b"), 1500.0); // other group
        h.record(version(4), Some("text:b"), 2600.0); // too late
        h.record(version(5), None, 2700.0);
        h.record(version(6), None, 2710.0); // None never coalesces
        let mut undone = Vec::new();
        let mut current = version(7);
        while let Some(previous) = h.undo(current.clone()) {
            undone.push(previous.clone());
            current = previous;
        }
        assert_eq!(undone, vec![version(6), version(5), version(4), version(3), version(0)]);

        // Undo resets coalescing: the next edit is a step of its own.
        let mut h = History::default();
        h.record(version(0), Some("g"), 0.0);
        assert_eq!(h.undo(version(1)), Some(version(0)));
        h.record(version(0), Some("g"), 100.0);
        assert!(h.can_undo() && !h.can_redo());

        // Any edit after an undo clears redo, grouped or not.
        let mut h = History::default();
        h.record(version(0), Some("g"), 0.0);
        h.record(version(1), None, 10.0);
        assert_eq!(h.undo(version(2)), Some(version(1)));
        h.record(version(1), Some("g"), 20.0);
        assert!(!h.can_redo());
    }

    #[test]
    fn history_keeps_at_most_the_limit() {
        let mut h = History::default();
        for n in 0..(History::LIMIT as u16 + 50) {
            h.record(version(n), None, f64::from(n) * 2000.0);
        }
        let mut steps = 0;
        let mut current = version(999);
        let mut oldest = None;
        while let Some(previous) = h.undo(current.clone()) {
            steps += 1;
            oldest = Some(previous.clone());
            current = previous;
        }
        assert_eq!(steps, History::LIMIT);
        assert_eq!(oldest, Some(version(50)));
    }

    #[test]
    fn palette_items_make_valid_blocks() {
        for item in PaletteItem::ALL {
            assert_eq!(PaletteItem::from_key(item.key()), Some(item));
            assert_eq!(serde_json::to_value(item).unwrap(), item.key(), "serde name of {item:?}");
            assert!(!item.label().is_empty() && !item.hint().contains('\n'));

            let mut doc = Document::blank();
            let mut ids = IdGen::for_document(&doc);
            let block = item.make(&mut ids);
            let id = block.id.clone();
            insert(&mut doc, &root(0), block).unwrap();
            assert!(all_ids_unique(&doc));
            let problems: Vec<Problem> =
                doc.validate().into_iter().filter(|p| !matches!(p, Problem::MissingPostalAddress { .. })).collect();
            assert_eq!(problems, vec![], "{item:?}");
            assert!(doc.find(&id).is_some());

            // Content blocks also fit in a column and a section.
            let block = item.make(&mut ids);
            let in_column = parent_allows(&Parent::Column { columns_id: "x".into(), index: 0 }, &block);
            assert_eq!(
                in_column,
                !matches!(item, PaletteItem::Section | PaletteItem::Columns2 | PaletteItem::Columns3)
            );
            let in_section = parent_allows(&Parent::Section("x".into()), &block);
            assert_eq!(in_section, item != PaletteItem::Section);
        }
        assert_eq!(PaletteItem::from_key("nope"), None);
        let mut ids = IdGen::default();
        let cols = PaletteItem::Columns3.make(&mut ids);
        assert_eq!(cols.id, "b1");
        assert_eq!(cols.children().len(), 3);
    }

    #[test]
    fn parents_serialise_for_drag_data() {
        let slot = column(1, 2);
        let json = serde_json::to_string(&slot).unwrap();
        assert_eq!(json, r#"{"parent":{"column":{"columns_id":"k","index":1}},"index":2}"#);
        assert_eq!(serde_json::from_str::<Slot>(&json).unwrap(), slot);
        assert_eq!(serde_json::to_string(&Parent::Root).unwrap(), r#""root""#);
    }
}
