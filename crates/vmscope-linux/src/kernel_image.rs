//! From a kernel file to the ELF vmlinux inside it.
//!
//! Distributions ship the kernel as an x86 bzImage (`vmlinuz`): a real-mode setup header, a small
//! decompressor, and the compressed ELF vmlinux as its payload. The boot protocol (2.08+) says where the
//! payload is: `payload_offset`/`payload_length` in the setup header, relative to the start of the
//! protected-mode code, which follows `setup_sects` 512-byte sectors and the boot sector. The build
//! appends the uncompressed size as 4 little-endian bytes to the compressed stream.
//!
//! Decompression is bounded: a payload that grows beyond [`MAX_VMLINUX_SIZE`] is refused.

use std::borrow::Cow;
use std::io::Read;

use crate::error::Error;

/// The largest vmlinux a payload may decompress to (512 MiB; Debian's are about 60 MiB).
pub const MAX_VMLINUX_SIZE: u64 = 512 << 20;

const ELF_MAGIC: &[u8] = b"\x7fELF";

/// Offsets in the x86 boot protocol's setup header.
mod hdr {
    pub const SETUP_SECTS: usize = 0x1f1;
    pub const MAGIC: usize = 0x202;
    pub const VERSION: usize = 0x206;
    pub const PAYLOAD_OFFSET: usize = 0x248;
    pub const PAYLOAD_LENGTH: usize = 0x24c;
    /// The first boot-protocol version with `payload_offset`/`payload_length`.
    pub const MIN_VERSION: u16 = 0x0208;
}

/// A compression format the kernel build can use for the bzImage payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    Gzip,
    Xz,
    Zstd,
    Lzma,
    Bzip2,
    Lz4,
    Lzo,
}

impl Compression {
    fn sniff(payload: &[u8]) -> Option<Self> {
        let starts = |m: &[u8]| payload.starts_with(m);
        if starts(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Self::Zstd)
        } else if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Self::Xz)
        } else if starts(&[0x1f, 0x8b]) {
            Some(Self::Gzip)
        } else if starts(&[0x5d, 0x00, 0x00]) {
            // The .lzma ("alone") header: properties byte 0x5d (lc=3 lp=0 pb=2), then the dictionary size.
            Some(Self::Lzma)
        } else if starts(b"BZh") {
            Some(Self::Bzip2)
        } else if starts(&[0x02, 0x21, 0x4c, 0x18]) {
            Some(Self::Lz4)
        } else if starts(b"\x89LZO\x00\r\n\x1a\n") {
            Some(Self::Lzo)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Xz => "xz",
            Self::Zstd => "zstd",
            Self::Lzma => "lzma",
            Self::Bzip2 => "bzip2",
            Self::Lz4 => "lz4",
            Self::Lzo => "lzo",
        }
    }
}

/// Returns the ELF vmlinux of a kernel image: an ELF file as it is, or the decompressed payload of an x86
/// bzImage (zstd, xz, gzip or lzma).
pub fn vmlinux_from_image(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    vmlinux_from_image_cow(bytes).map(Cow::into_owned)
}

/// Like [`vmlinux_from_image`], without copying an input that is already an ELF file.
pub(crate) fn vmlinux_from_image_cow(bytes: &[u8]) -> Result<Cow<'_, [u8]>, Error> {
    if bytes.starts_with(ELF_MAGIC) {
        // Any program is an ELF file; a vmlinux carries the kernel's banner.
        if memchr::memmem::find(bytes, b"Linux version ").is_none() {
            return Err(Error::NotAKernelImage {
                reason: "an ELF file without the `Linux version` banner (a program, not a vmlinux)"
                    .to_owned(),
            });
        }
        return Ok(Cow::Borrowed(bytes));
    }
    let payload = bzimage_payload(bytes)?;
    let format = Compression::sniff(payload).ok_or_else(|| Error::UnknownCompression {
        magic: payload.iter().take(8).copied().collect(),
    })?;
    // The build appends the uncompressed size (4 bytes, little-endian): a capacity hint, and not part of
    // the compressed stream.
    let (stream, size_hint) = match payload.len().checked_sub(4) {
        Some(n) => {
            let tail: [u8; 4] = payload[n..].try_into().unwrap_or_default();
            (&payload[..n], u64::from(u32::from_le_bytes(tail)))
        }
        None => (payload, 0),
    };
    let out = decompress(format, stream, size_hint)?;
    if !out.starts_with(ELF_MAGIC) {
        return Err(Error::NotAKernelImage {
            reason: format!(
                "the {}-compressed bzImage payload is not an ELF file",
                format.name()
            ),
        });
    }
    Ok(Cow::Owned(out))
}

fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Finds the compressed payload of an x86 bzImage.
fn bzimage_payload(bytes: &[u8]) -> Result<&[u8], Error> {
    let not = |reason: &str| Error::NotAKernelImage {
        reason: reason.to_owned(),
    };
    if bytes.get(hdr::MAGIC..hdr::MAGIC + 4) != Some(b"HdrS") {
        return Err(not(
            "neither an ELF file nor an x86 bzImage (no \"HdrS\" magic at 0x202)",
        ));
    }
    let version = read_u16(bytes, hdr::VERSION).ok_or_else(|| not("truncated setup header"))?;
    if version < hdr::MIN_VERSION {
        return Err(Error::NotAKernelImage {
            reason: format!(
                "boot protocol {}.{:02} is older than 2.08 and does not locate its payload",
                version >> 8,
                version & 0xff
            ),
        });
    }
    let setup_sects = match bytes.get(hdr::SETUP_SECTS) {
        // "If this field is 0, the real value is 4" (Documentation/arch/x86/boot.rst).
        Some(0) => 4,
        Some(&n) => usize::from(n),
        None => return Err(not("truncated setup header")),
    };
    let pm_start = (setup_sects + 1) * 512;
    let offset =
        read_u32(bytes, hdr::PAYLOAD_OFFSET).ok_or_else(|| not("truncated setup header"))?;
    let length =
        read_u32(bytes, hdr::PAYLOAD_LENGTH).ok_or_else(|| not("truncated setup header"))?;
    let start = pm_start.checked_add(offset as usize);
    let end = start.and_then(|s| s.checked_add(length as usize));
    match (start, end) {
        (Some(s), Some(e)) if length > 0 && e <= bytes.len() => Ok(&bytes[s..e]),
        _ => Err(Error::NotAKernelImage {
            reason: format!(
                "bzImage payload (offset {offset:#x}, length {length}) lies outside the {}-byte file",
                bytes.len()
            ),
        }),
    }
}

fn decompress(format: Compression, stream: &[u8], size_hint: u64) -> Result<Vec<u8>, Error> {
    let name = format.name();
    let corrupt = |detail: String| Error::CorruptPayload {
        format: name,
        detail,
    };
    // Decoders' memory limit, in KiB: generous for a kernel (dictionaries of 32 MiB), bounded for junk.
    const MEM_LIMIT_KB: u32 = 256 << 10;
    match format {
        Compression::Zstd => {
            let dec = ruzstd::decoding::StreamingDecoder::new(stream)
                .map_err(|e| corrupt(e.to_string()))?;
            read_bounded(dec, name, size_hint)
        }
        Compression::Xz => {
            let dec = lzma_rust2::XzReader::new_mem_limit(stream, false, MEM_LIMIT_KB);
            read_bounded(dec, name, size_hint)
        }
        Compression::Lzma => {
            let dec = lzma_rust2::LzmaReader::new_mem_limit(stream, MEM_LIMIT_KB, None)
                .map_err(|e| corrupt(e.to_string()))?;
            read_bounded(dec, name, size_hint)
        }
        Compression::Gzip => read_bounded(flate2::read::GzDecoder::new(stream), name, size_hint),
        Compression::Bzip2 | Compression::Lz4 | Compression::Lzo => {
            Err(Error::UnsupportedCompression { format: name })
        }
    }
}

/// Reads a decoder to its end, refusing output beyond [`MAX_VMLINUX_SIZE`].
fn read_bounded(dec: impl Read, format: &'static str, size_hint: u64) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(size_hint.min(MAX_VMLINUX_SIZE) as usize);
    dec.take(MAX_VMLINUX_SIZE + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::CorruptPayload {
            format,
            detail: e.to_string(),
        })?;
    if out.len() as u64 > MAX_VMLINUX_SIZE {
        return Err(Error::PayloadTooLarge {
            format,
            limit: MAX_VMLINUX_SIZE,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal bzImage around `payload`: boot sector, `setup_sects` sectors, then the payload.
    fn bzimage(payload: &[u8]) -> Vec<u8> {
        let setup_sects = 3u8;
        let pm_start = (usize::from(setup_sects) + 1) * 512;
        let offset = 0x40usize;
        let mut img = vec![0u8; pm_start + offset];
        img[hdr::SETUP_SECTS] = setup_sects;
        img[hdr::MAGIC..hdr::MAGIC + 4].copy_from_slice(b"HdrS");
        img[hdr::VERSION..hdr::VERSION + 2].copy_from_slice(&0x020fu16.to_le_bytes());
        let mut stream = payload.to_vec();
        let len = (stream.len() + 4) as u32;
        img[hdr::PAYLOAD_OFFSET..hdr::PAYLOAD_OFFSET + 4]
            .copy_from_slice(&(offset as u32).to_le_bytes());
        img[hdr::PAYLOAD_LENGTH..hdr::PAYLOAD_LENGTH + 4].copy_from_slice(&len.to_le_bytes());
        stream.extend_from_slice(&4096u32.to_le_bytes());
        img.extend_from_slice(&stream);
        img
    }

    fn fake_elf() -> Vec<u8> {
        let mut v = b"\x7fELF\x02\x01\x01".to_vec();
        v.resize(4096, 0xa5);
        v.extend_from_slice(b"Linux version 6.12.0 (test)\n");
        v
    }

    #[test]
    fn elf_is_returned_as_is() {
        let elf = fake_elf();
        assert_eq!(vmlinux_from_image(&elf).ok(), Some(elf));
    }

    #[test]
    fn an_elf_program_is_not_a_kernel() {
        let mut prog = b"\x7fELF\x02\x01\x01".to_vec();
        prog.resize(4096, 0);
        assert!(matches!(
            vmlinux_from_image(&prog),
            Err(Error::NotAKernelImage { .. })
        ));
    }

    #[test]
    fn gzip_payload_is_decompressed() {
        let elf = fake_elf();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&elf).ok();
        let gz = enc.finish().unwrap_or_default();
        assert_eq!(vmlinux_from_image(&bzimage(&gz)).ok(), Some(elf));
    }

    #[test]
    fn xz_payload_is_decompressed() {
        let elf = fake_elf();
        let mut w = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::default())
            .unwrap_or_else(|e| panic!("xz writer: {e}"));
        w.write_all(&elf).ok();
        let xz = w.finish().unwrap_or_default();
        assert_eq!(vmlinux_from_image(&bzimage(&xz)).ok(), Some(elf));
    }

    #[test]
    fn lzma_payload_is_decompressed() {
        // As the kernel build makes it: a .lzma header with an unknown size and an end marker.
        let elf = fake_elf();
        let opts = lzma_rust2::LzmaOptions::with_preset(6);
        let mut w = lzma_rust2::LzmaWriter::new_use_header(Vec::new(), &opts, None)
            .unwrap_or_else(|e| panic!("lzma writer: {e}"));
        w.write_all(&elf).ok();
        let lz = w.finish().unwrap_or_default();
        assert_eq!(vmlinux_from_image(&bzimage(&lz)).ok(), Some(elf));
    }

    #[test]
    fn junk_and_truncation_give_clean_errors() {
        assert!(matches!(
            vmlinux_from_image(b"#!/bin/sh\necho hi\n"),
            Err(Error::NotAKernelImage { .. })
        ));
        assert!(matches!(
            vmlinux_from_image(&[]),
            Err(Error::NotAKernelImage { .. })
        ));
        // Unknown magic.
        assert!(matches!(
            vmlinux_from_image(&bzimage(b"\x00\x01\x02\x03junk")),
            Err(Error::UnknownCompression { .. })
        ));
        // Known magic, corrupt stream.
        for magic in [
            &[0x28u8, 0xb5, 0x2f, 0xfd][..],
            b"\xfd7zXZ\x00",
            b"\x1f\x8b",
        ] {
            let mut p = magic.to_vec();
            p.extend_from_slice(&[0xff; 64]);
            let r = vmlinux_from_image(&bzimage(&p));
            assert!(matches!(r, Err(Error::CorruptPayload { .. })), "{r:?}");
        }
        // Recognised but unsupported.
        assert!(matches!(
            vmlinux_from_image(&bzimage(b"BZh91AY&SY")),
            Err(Error::UnsupportedCompression { format: "bzip2" })
        ));
        // Payload pointing past the end of the file.
        let mut img = bzimage(b"\x1f\x8b");
        img[hdr::PAYLOAD_LENGTH..hdr::PAYLOAD_LENGTH + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            vmlinux_from_image(&img),
            Err(Error::NotAKernelImage { .. })
        ));
    }

    #[test]
    fn a_payload_that_is_not_elf_is_refused() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello, not a kernel").ok();
        let gz = enc.finish().unwrap_or_default();
        assert!(matches!(
            vmlinux_from_image(&bzimage(&gz)),
            Err(Error::NotAKernelImage { .. })
        ));
    }
}
