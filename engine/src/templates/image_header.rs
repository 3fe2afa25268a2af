//! What an uploaded file really is, and its size in pixels, from its first bytes.
//!
//! The browser's content type and the file name are the uploader's claims; these bytes are
//! what mail clients will decode. Only the four formats every mail client shows are
//! accepted. Pure functions over byte slices: nothing here decodes pixels, and every read is
//! bounds-checked, so a truncated or hostile header yields `None`, never a panic.

/// An image format accepted in the library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageType {
    /// The `Content-Type` it is served with (and the `media_file.content_type` value).
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }

    /// The extension of the stored file name.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The format, by its magic bytes; `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&PNG_SIGNATURE[..4]) {
        Some(ImageType::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageType::Jpeg)
    } else if bytes.starts_with(b"GIF8") {
        Some(ImageType::Gif)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(&b"WEBP"[..]) {
        Some(ImageType::Webp)
    } else {
        None
    }
}

/// Width and height in pixels, from the header of an image of `kind`.
pub fn dimensions(kind: ImageType, bytes: &[u8]) -> Option<(u32, u32)> {
    match kind {
        ImageType::Png => png_size(bytes),
        ImageType::Jpeg => jpeg_size(bytes),
        ImageType::Gif => gif_size(bytes),
        ImageType::Webp => webp_size(bytes),
    }
}

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 2)?;
    Some(u32::from(u16::from_be_bytes([b[0], b[1]])))
}

fn le16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 2)?;
    Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn le24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 3)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// PNG: the signature, then the IHDR chunk (length, "IHDR", width and height big-endian).
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..8)? != PNG_SIGNATURE || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    Some((be32(bytes, 16)?, be32(bytes, 20)?))
}

/// GIF: "GIF87a"/"GIF89a", then the logical screen width and height, little-endian.
pub fn gif_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let version = bytes.get(..6)?;
    if version != b"GIF87a" && version != b"GIF89a" {
        return None;
    }
    Some((le16(bytes, 6)?, le16(bytes, 8)?))
}

/// JPEG: walks the marker segments up to the first start-of-frame (baseline SOF0,
/// progressive SOF2 and the rarer SOFn alike), which holds height then width, big-endian.
pub fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Markers without a length: TEM, RST0–7, a stray SOI.
            0x01 | 0xD0..=0xD8 => {
                at += 2;
                continue;
            }
            // End of image or start of scan before any frame header: no size to find.
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let length = usize::try_from(be16(bytes, at + 2)?).ok()?;
        if length < 2 {
            return None;
        }
        // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let height = be16(bytes, at + 5)?;
            let width = be16(bytes, at + 7)?;
            return Some((width, height));
        }
        at += 2 + length;
    }
}

/// WebP: a RIFF container whose first chunk is "VP8 " (lossy: 14-bit sizes after the frame
/// start code), "VP8L" (lossless: 14-bit sizes minus one, packed after a 0x2F byte) or
/// "VP8X" (extended: 24-bit canvas sizes minus one).
pub fn webp_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..12)? != b"WEBP" {
        return None;
    }
    match bytes.get(12..16)? {
        b"VP8 " => {
            if bytes.get(23..26)? != [0x9D_u8, 0x01, 0x2A] {
                return None;
            }
            Some((le16(bytes, 26)? & 0x3FFF, le16(bytes, 28)? & 0x3FFF))
        }
        b"VP8L" => {
            if *bytes.get(20)? != 0x2F {
                return None;
            }
            let bits = le32(bytes, 21)?;
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(bytes, 24)? + 1, le24(bytes, 27)? + 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first 24 bytes of a PNG of `w`×`h`.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0]);
        b
    }

    fn riff(chunk: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut b = b"RIFF".to_vec();
        b.extend_from_slice(&(4 + 8 + data.len() as u32).to_le_bytes());
        b.extend_from_slice(b"WEBP");
        b.extend_from_slice(chunk);
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn formats_are_told_by_their_magic_bytes_only() {
        assert_eq!(sniff(&png_header(1, 1)), Some(ImageType::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(ImageType::Jpeg));
        assert_eq!(sniff(b"GIF89a\x01\x00\x01\x00"), Some(ImageType::Gif));
        assert_eq!(sniff(&riff(b"VP8X", &[0; 10])), Some(ImageType::Webp));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b"hello, world"), None);
        assert_eq!(sniff(&[]), None);
        assert_eq!(ImageType::Jpeg.extension(), "jpg");
        assert_eq!(ImageType::Webp.content_type(), "image/webp");
    }

    #[test]
    fn png_size_comes_from_ihdr() {
        assert_eq!(png_size(&png_header(640, 480)), Some((640, 480)));
        assert_eq!(png_size(&png_header(640, 480)[..20]), None);
        let mut wrong_chunk = png_header(1, 1);
        wrong_chunk[12..16].copy_from_slice(b"IDAT");
        assert_eq!(png_size(&wrong_chunk), None);
    }

    #[test]
    fn gif_size_comes_from_the_logical_screen() {
        assert_eq!(gif_size(b"GIF89a\x58\x02\x90\x01\xf7\x00\x00"), Some((600, 400)));
        assert_eq!(gif_size(b"GIF87a\x01\x00\x02\x00"), Some((1, 2)));
        assert_eq!(gif_size(b"GIF89a\x01"), None);
        assert_eq!(gif_size(b"GIF80a\x01\x00\x02\x00"), None);
    }

    #[test]
    fn jpeg_size_skips_segments_up_to_the_frame_header() {
        let mut b = vec![0xFF, 0xD8];
        // APP0 (JFIF), 16 bytes including the length.
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        // A DHT segment (0xC4 is in the SOF range but is not a frame header).
        b.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00]);
        // Fill bytes, then SOF2: length 17, precision 8, height 300, width 500.
        b.extend_from_slice(&[0xFF, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x01, 0xF4, 0x03]);
        b.extend_from_slice(&[0; 9]);
        assert_eq!(jpeg_size(&b), Some((500, 300)));

        let baseline = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0, 0, 0];
        assert_eq!(jpeg_size(&baseline), Some((3, 2)));
    }

    #[test]
    fn jpeg_without_a_reachable_frame_header_has_no_size() {
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]), None);
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x40, 1, 2]), None);
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]), None);
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0x00]), None);
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF, 0xFF, 0xFF]), None);
    }

    #[test]
    fn webp_size_reads_all_three_chunk_kinds() {
        // Lossy: frame tag, start code, 14-bit width and height (top bits are scaling).
        let lossy = riff(b"VP8 ", &[0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x20, 0x03, 0x58, 0x42]);
        assert_eq!(webp_size(&lossy), Some((800, 600)));
        // Lossless: width-1 = 99 and height-1 = 49 packed in 14-bit fields.
        let bits: u32 = 99 | (49 << 14);
        let mut data = vec![0x2F];
        data.extend_from_slice(&bits.to_le_bytes());
        assert_eq!(webp_size(&riff(b"VP8L", &data)), Some((100, 50)));
        // Extended: flags, reserved, 24-bit canvas width-1 and height-1.
        let extended = riff(b"VP8X", &[0x10, 0, 0, 0, 0x7F, 0x07, 0x00, 0x37, 0x04, 0x00]);
        assert_eq!(webp_size(&extended), Some((1920, 1080)));
        assert_eq!(webp_size(&riff(b"VP8 ", &[0, 0, 0, 1, 2, 3, 0, 0, 0, 0])), None);
        assert_eq!(webp_size(&riff(b"ALPH", &[0; 10])), None);
        assert_eq!(webp_size(&lossy[..27]), None);
    }
}
