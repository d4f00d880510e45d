//! Encodings and digests: url_encode, url_decode, base64_encode_tostring,
//! base64_decode_tostring, hash, hash_sha256, format_bytes, parse_url.
//!
//! Base64 and SHA-256 are written out here (a few dozen lines each, checked
//! against the pages' examples and the standard test vectors) rather than
//! taken from a crate, so the build gains no dependency.

use super::Args;
use crate::columnar::Col;
use crate::error::Result;
use arrow_array::StringArray;
use arrow_array::builder::StringBuilder;
use kql_syntax::ScalarType;
use std::sync::Arc;

/// Maps each row's text through `f` (one output string per row).
fn map_text(a: &Args, f: impl Fn(&str) -> String) -> Result<Col> {
    let s = a.strs(0)?;
    let n = a.rows();
    let mut b = StringBuilder::with_capacity(n, 0);
    for i in 0..n {
        b.append_value(f(s.get(i)));
    }
    Ok(a.finish(Arc::new(b.finish())))
}

/// `url_encode(url)`: as .NET's `HttpUtility.UrlEncode` (the url-encode
/// page's example: `https%3a%2f%2fwww.bing.com%2fhello+world`): letters,
/// digits and `-_.!*()` stay, a space is `+`, every other UTF-8 byte is
/// `%xx` in lower case.
pub fn url_encode(a: &Args) -> Result<Col> {
    map_text(a, |s| {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'*' | b'(' | b')' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02x}")),
            }
        }
        out
    })
}

/// `url_decode(encoded_url)`: `%xx` sequences (either case) become bytes and
/// `+` a space; a `%` not followed by two hex digits stays as it is. Bytes
/// that are not UTF-8 become U+FFFD.
pub fn url_decode(a: &Args) -> Result<Col> {
    map_text(a, |s| {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' if i + 2 < bytes.len() && hex(bytes[i + 1]).is_some() && hex(bytes[i + 2]).is_some() => {
                    out.push(hex(bytes[i + 1]).unwrap_or(0) << 4 | hex(bytes[i + 2]).unwrap_or(0));
                    i += 3;
                    continue;
                }
                b'+' => out.push(b' '),
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    })
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let v = u32::from(chunk[0]) << 16
            | u32::from(chunk.get(1).copied().unwrap_or(0)) << 8
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(BASE64[(v >> (18 - 6 * k) & 0x3f) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, padding optional; `None` for any other character or a
/// length no encoding has.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.bytes() {
        let v = BASE64.iter().position(|&b| b == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    Some(out)
}

/// `base64_encode_tostring(string)`: the UTF-8 bytes in base64.
pub fn base64_encode_tostring(a: &Args) -> Result<Col> {
    map_text(a, |s| base64_encode(s.as_bytes()))
}

/// `base64_decode_tostring(base64_string)`: the decoded bytes as UTF-8;
/// invalid base64 or bytes that are not UTF-8 give the empty string (the
/// page: "returns null", which a Kusto string shows as empty).
pub fn base64_decode_tostring(a: &Args) -> Result<Col> {
    map_text(a, |s| base64_decode(s).and_then(|b| String::from_utf8(b).ok()).unwrap_or_default())
}

/// SHA-256 (FIPS 180-4) of `data`.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (t, word) in block.chunks_exact(4).enumerate() {
            w[t] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for t in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[t]).wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(v);
        }
    }
    let mut out = [0u8; 32];
    for (k, x) in h.iter().enumerate() {
        out[4 * k..4 * k + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// `hash_sha256(source)`: the digest of the value's text, in lower-case hex.
/// A datetime hashes as its full text (`2020-01-01T00:00:00.0000000Z`):
/// that is the input that gives the hash_sha256 page's `h2`.
pub fn hash_sha256(a: &Args) -> Result<Col> {
    text_digest(a, |bytes| sha256(bytes).to_vec())
}

/// `hash_md5(source)`: as hash_sha256, with MD5 (the hash_md5 page's
/// `hash_md5("World")` is `f5a7924e621e84c9280a9a27e1bcb7f6` and
/// `hash_md5(datetime(2020-01-01))` `786c530672d1f8db31fee25ea8a9390b`, the
/// digest of `2020-01-01T00:00:00.0000000Z`).
pub fn hash_md5(a: &Args) -> Result<Col> {
    use md5::Digest;
    text_digest(a, |bytes| md5::Md5::digest(bytes).to_vec())
}

/// `hash_sha1(source)`: as hash_sha256, with SHA-1 (the hash_sha1 page's
/// `hash_sha1(datetime(2020-01-01))` is
/// `e903e533f4d636b4fc0dcf3cf81e7b7f330de776`).
pub fn hash_sha1(a: &Args) -> Result<Col> {
    use sha1::Digest;
    text_digest(a, |bytes| sha1::Sha1::digest(bytes).to_vec())
}

/// The lower-case hex of `digest` over each value's text; a datetime's text
/// is its full form with seven fraction digits (the pages' `h2` examples).
fn text_digest(a: &Args, digest: impl Fn(&[u8]) -> Vec<u8>) -> Result<Col> {
    let hex = |text: &str| digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
    if a.ty(0) == ScalarType::DateTime {
        let t = a.prims::<arrow_array::types::TimestampNanosecondType>(0, ScalarType::DateTime)?;
        let out: StringArray = (0..a.rows())
            .map(|i| Some(t.get(i).map(|v| hex(&kql_syntax::time::format_datetime(v))).unwrap_or_default()))
            .collect();
        return Ok(a.finish(Arc::new(out)));
    }
    map_text(a, hex)
}

/// `hash(source [, mod])` / `hash_xxhash64`: xxhash64 (seed 0) of the
/// value's bytes, as a long (the 64 bits read as two's complement). The
/// hash page's examples fix the bytes: a string hashes its UTF-8 text
/// (`hash("World")` is 1846988464401551951), a datetime the little-endian
/// 64-bit count of 100 ns ticks since 0001-01-01 (`hash(datetime(2015-01-01))`
/// is 1380966698541616202); the binder lets no other type through. With
/// `mod`, the remainder of the unsigned hash, which the page says is in
/// `0 … mod-1` (`hash("World", 100)` is 51); a `mod` that is not positive,
/// or a null datetime, gives null.
pub fn hash(a: &Args) -> Result<Col> {
    use twox_hash::XxHash64;
    let n = a.rows();
    let hashes: Vec<Option<u64>> = if a.ty(0) == ScalarType::DateTime {
        let t = a.prims::<arrow_array::types::TimestampNanosecondType>(0, ScalarType::DateTime)?;
        (0..n)
            .map(|i| {
                t.get(i).map(|ns| {
                    let ticks = ns.div_euclid(kql_types::time::NANOS_PER_TICK) + kql_types::time::TICKS_AT_UNIX_EPOCH;
                    XxHash64::oneshot(0, &ticks.to_le_bytes())
                })
            })
            .collect()
    } else {
        let s = a.strs(0)?;
        (0..n).map(|i| Some(XxHash64::oneshot(0, s.get(i).as_bytes()))).collect()
    };
    let modulus = if a.cols.len() > 1 { Some(a.longs(1)?) } else { None };
    let out: arrow_array::Int64Array = hashes
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h?;
            match &modulus {
                None => Some(h as i64),
                Some(m) => {
                    let m = m.get(i).filter(|m| *m > 0)?;
                    Some((h % m as u64) as i64)
                }
            }
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `format_bytes(size [, precision [, units]])`: the size in the largest
/// 1024-based unit it reaches (or the one named), rounded to `precision`
/// digits (default 0), without trailing zeros: the format-bytes page's
/// `format_bytes(10332, 1)` is `10.1 KB`, `format_bytes(20010332)` `19 MB`.
/// An unknown unit name or a null size gives the empty string.
pub fn format_bytes(a: &Args) -> Result<Col> {
    const UNITS: [&str; 7] = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
    let size = a.prims::<arrow_array::types::Float64Type>(0, ScalarType::Real)?;
    let precision = if a.cols.len() > 1 {
        a.prims::<arrow_array::types::Int64Type>(1, ScalarType::Long)?
    } else {
        super::Prims::One(Some(0))
    };
    let unit = if a.cols.len() > 2 { Some(a.strs(2)?) } else { None };
    let out: StringArray = (0..a.rows())
        .map(|i| {
            let text = || -> Option<String> {
                let v = size.get(i)?;
                let p = precision.get(i)?.clamp(0, 15) as i32;
                let k = match unit.as_ref().map(|u| u.get(i)).filter(|u| !u.is_empty()) {
                    Some(u) => UNITS.iter().position(|x| x.eq_ignore_ascii_case(u))?,
                    None => {
                        let mut k = 0;
                        while k + 1 < UNITS.len() && v.abs() >= 1024f64.powi(k as i32 + 1) {
                            k += 1;
                        }
                        k
                    }
                };
                let scaled = v / 1024f64.powi(k as i32);
                let factor = 10f64.powi(p);
                let rounded = (scaled * factor).round() / factor;
                Some(format!("{} {}", kql_types::text::real_text(rounded + 0.0), UNITS[k]))
            };
            Some(text().unwrap_or_default())
        })
        .collect();
    Ok(a.finish(Arc::new(out)))
}

/// `parse_url(url)`: a bag of Scheme, Host, Port, Path, Username, Password,
/// Query Parameters (a bag) and Fragment, every part text. The parse-url
/// page's example is the reference: its Path has no leading `/`
/// (`this/is/a/path`). Text with no `scheme://` gives every part empty.
pub fn parse_url(a: &Args) -> Result<Col> {
    let s = a.strs(0)?;
    let out: StringArray = (0..a.rows()).map(|i| Some(url_parts(s.get(i)).to_string())).collect();
    Ok(a.finish(Arc::new(out)))
}

fn url_parts(url: &str) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut scheme = "";
    let (mut host, mut port, mut path, mut user, mut password, mut fragment) = ("", "", "", "", "", "");
    let mut query = Map::new();
    if let Some((sch, rest)) = url.split_once("://")
        && !sch.is_empty()
        && sch.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        scheme = sch;
        let (rest, frag) = rest.split_once('#').unwrap_or((rest, ""));
        fragment = frag;
        let (rest, q) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, p) = match rest.find('/') {
            Some(k) => (&rest[..k], &rest[k + 1..]),
            None => (rest, ""),
        };
        path = p;
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (u, h),
            None => ("", authority),
        };
        (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h, p),
            _ => (hostport, ""),
        };
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            query.insert(k.to_string(), Value::String(v.to_string()));
        }
    }
    let mut bag = Map::new();
    for (k, v) in
        [("Scheme", scheme), ("Host", host), ("Port", port), ("Path", path), ("Username", user), ("Password", password)]
    {
        bag.insert(k.to_string(), Value::String(v.to_string()));
    }
    bag.insert("Query Parameters".to_string(), Value::Object(query));
    bag.insert("Fragment".to_string(), Value::String(fragment.to_string()));
    Value::Object(bag)
}

/// `parse_path(path)`: a bag of Scheme, RootPath, DirectoryPath,
/// DirectoryName, Filename, Extension and AlternateDataStreamName, as the
/// parse-path page's examples split them: `/` and `\\` both separate; a
/// drive (`C:`) is the root; `name:stream` in the last part names an
/// alternate data stream.
pub fn parse_path(a: &Args) -> Result<Col> {
    let s = a.strs(0)?;
    let out: StringArray = (0..a.rows()).map(|i| Some(path_parts(s.get(i)).to_string())).collect();
    Ok(a.finish(Arc::new(out)))
}

fn path_parts(path: &str) -> serde_json::Value {
    use serde_json::{Map, Value};
    let (scheme, rest) = match path.split_once("://") {
        Some((sch, rest)) if !sch.is_empty() && sch.chars().all(|c| c.is_ascii_alphanumeric()) => (sch, rest),
        _ => ("", path),
    };
    let body = rest.strip_prefix(r"\\?\").unwrap_or(rest);
    let b = body.as_bytes();
    let root = if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' { &body[..2] } else { "" };
    let (dir, file) = match rest.rfind(['/', '\\']) {
        Some(k) => (&rest[..k], &rest[k + 1..]),
        None => ("", rest),
    };
    let (file, stream) = file.split_once(':').unwrap_or((file, ""));
    let dir_name = dir.rsplit(['/', '\\']).next().unwrap_or("");
    let extension = file.rsplit_once('.').map_or("", |(_, e)| e);
    let mut bag = Map::new();
    for (k, v) in [
        ("Scheme", scheme),
        ("RootPath", root),
        ("DirectoryPath", dir),
        ("DirectoryName", dir_name),
        ("Filename", file),
        ("Extension", extension),
        ("AlternateDataStreamName", stream),
    ] {
        bag.insert(k.to_string(), Value::String(v.to_string()));
    }
    Value::Object(bag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hexdigest(s: &str) -> String {
        sha256(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_test_vectors() {
        // FIPS 180-4 examples and the hash_sha256 page's "World".
        assert_eq!(hexdigest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hexdigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hexdigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(hexdigest("World"), "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524");
        assert_eq!(hexdigest(&"a".repeat(1000)).len(), 64);
    }

    #[test]
    fn base64_round_trips() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "Kusto"] {
            assert_eq!(base64_decode(&base64_encode(s.as_bytes())).as_deref(), Some(s.as_bytes()));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("Zm8"), Some(b"fo".to_vec()));
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zm8==="), None);
        assert_eq!(base64_decode("Zm!8"), None);
    }
}
