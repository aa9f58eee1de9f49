//! A QR code as a PNG image, for the device flow's `qrcode_url`.
//!
//! The `qrcode` crate is built without its image feature, and a grey-scale PNG with stored
//! (uncompressed) deflate blocks is a few dozen lines: simpler than another dependency.

use qrcode::{Color, QrCode};

/// Pixels per QR module.
const SCALE: usize = 6;
/// The white border the QR specification asks for, in modules.
const QUIET_ZONE: usize = 4;

/// The PNG of a QR code of `data`; `None` when the data is too long for a QR code.
pub(crate) fn png(data: &str) -> Option<Vec<u8>> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * SCALE;

    // One filter byte (0: none) per row, then one grey byte per pixel.
    let mut raw = Vec::with_capacity(side * (side + 1));
    for y in 0..side {
        raw.push(0);
        for x in 0..side {
            let (mx, my) = (x / SCALE, y / SCALE);
            let inside = (QUIET_ZONE..QUIET_ZONE + modules).contains(&mx)
                && (QUIET_ZONE..QUIET_ZONE + modules).contains(&my);
            let dark =
                inside && colors[(my - QUIET_ZONE) * modules + (mx - QUIET_ZONE)] == Color::Dark;
            raw.push(if dark { 0 } else { 255 });
        }
    }

    let side = u32::try_from(side).ok()?;
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend(side.to_be_bytes());
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8 bits, grey, deflate, filter method 0, no interlace

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr)?;
    chunk(&mut png, b"IDAT", &zlib_stored(&raw))?;
    chunk(&mut png, b"IEND", &[])?;
    Some(png)
}

/// Appends one PNG chunk; `None` if `data` is too long for one (never, for a QR code).
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> Option<()> {
    out.extend(u32::try_from(data.len()).ok()?.to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
    Some(())
}

/// A zlib stream of stored deflate blocks (at most 65535 bytes each).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        // `chunks(65_535)` makes every block fit.
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*block);
    }
    if blocks.is_empty() {
        out.extend([1, 0, 0, 0xff, 0xff]);
    }
    out.extend(adler32(data).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn png_has_a_valid_header() {
        let png = png("http://127.0.0.1:1234/device?code=u67xpvun").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]) as usize;
        assert_eq!(width % SCALE, 0);
        assert!(png.ends_with(&[0xae, 0x42, 0x60, 0x82]));
    }
}
