//! Per-recipient rendering cost of a 30-block newsletter: the document is compiled once
//! (MJML → HTML with mrml, plain text, both split into merge templates), then merged for
//! 20,000 recipients whose names, cities and links differ. Prints the compile time, the
//! per-recipient time (median of 5 rounds) and the sizes, as `FIGURE` lines.
//!
//! Run: `cargo bench -p model --bench render`.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use model::email::{Block, BlockKind, Column, Document, RichText, Starter, compile};

const RECIPIENTS: usize = 20_000;
const ROUNDS: usize = 5;
const TARGET_BLOCKS: usize = 30;

fn main() {
    let doc = thirty_blocks();
    let blocks = doc.block_count();
    let mut compile_ms = Vec::new();
    let mut compiled = None;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        compiled = Some(compile(&doc).expect("the benchmark document renders"));
        compile_ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let compiled = compiled.expect("compiled at least once");
    let people = recipients();
    let mut per_recipient_us = Vec::new();
    let mut bytes = 0;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for person in &people {
            let message = compiled.render_for(&|name: &str| person.get(name).cloned());
            bytes = message.html.len() + message.text.len();
            black_box(message);
        }
        per_recipient_us.push(start.elapsed().as_secs_f64() * 1e6 / RECIPIENTS as f64);
    }
    let sample = compiled.render_for(&|name: &str| people[0].get(name).cloned());
    println!("document: {blocks} blocks; {RECIPIENTS} recipients x {ROUNDS} rounds");
    println!("compile (MJML + mrml + templates): median {:.2} ms", median(&mut compile_ms));
    println!("merge per recipient: median {:.1} us", median(&mut per_recipient_us));
    println!("one message: HTML {} bytes, text {} bytes", sample.html.len(), sample.text.len());
    println!("FIGURE render_blocks {blocks}");
    println!("FIGURE render_compile_ms {:.3}", median(&mut compile_ms));
    println!("FIGURE render_per_recipient_us {:.3}", median(&mut per_recipient_us));
    println!("FIGURE render_html_bytes {}", sample.html.len());
    black_box(bytes);
}

/// The newsletter starter, topped up with text, image and button blocks carrying merge tags
/// until it has 30 blocks.
fn thirty_blocks() -> Document {
    let mut doc = Starter::Newsletter.document();
    let mut n = 0;
    while doc.block_count() < TARGET_BLOCKS {
        n += 1;
        let kind = match n % 3 {
            0 => BlockKind::Text {
                text: RichText::plain(&format!(
                    "Hi {{{{ first_name | default: \"there\" }}}}, item {n} is waiting for you in {{{{ city }}}}. \
                     We picked it for {{{{ plan | default: \"every\" }}}} members."
                )),
            },
            1 => BlockKind::Image {
                src: format!("{{{{ site_url }}}}/static/starters/article-{}.png", 1 + n % 2),
                alt: format!("Picture for item {n}"),
                href: Some(format!("https://example.com/items/{n}?ref={{{{ contact_id }}}}")),
                width: None,
            },
            _ => BlockKind::Columns {
                columns: vec![
                    Column { width_percent: None, blocks: vec![Block::new(format!("c{n}a"), text(n))] },
                    Column { width_percent: None, blocks: vec![Block::new(format!("c{n}b"), text(n + 1))] },
                ],
                stack_on_mobile: true,
            },
        };
        doc.blocks.push(Block::new(format!("bench-{n}"), kind));
    }
    doc
}

fn text(n: usize) -> BlockKind {
    BlockKind::Text { text: RichText::plain(&format!("Column text {n} for {{{{ first_name }}}} {{{{ last_name }}}}.")) }
}

fn recipients() -> Vec<HashMap<String, String>> {
    let cities = ["Berlin", "Lagos", "São Paulo", "Tokyo", "<Springfield & Co>"];
    (0..RECIPIENTS)
        .map(|i| {
            HashMap::from([
                ("first_name".to_owned(), format!("Name{i}")),
                ("last_name".to_owned(), format!("O'Brien{i}")),
                ("city".to_owned(), cities[i % cities.len()].to_owned()),
                ("plan".to_owned(), if i % 3 == 0 { String::new() } else { "pro".to_owned() }),
                ("contact_id".to_owned(), i.to_string()),
                ("site_url".to_owned(), "https://mail.example.com".to_owned()),
                ("unsubscribe_url".to_owned(), format!("https://mail.example.com/u/{i:08x}")),
                ("postal_address".to_owned(), "1 Example Street, 10115 Berlin".to_owned()),
            ])
        })
        .collect()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}
