//! JSON-RPC over a byte stream with `Content-Length` framing.
//!
//! lsp-server's own stdio transport ends the reader on the first malformed
//! message, which would leave the editor with a dead server. This reader
//! answers malformed input with a JSON-RPC error and carries on; it stops
//! only at end of input or when the main loop has gone.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use lsp_server::Message;
use serde_json::Value;

/// JSON-RPC error codes used for input that is not a usable message.
pub const PARSE_ERROR: i32 = -32700;
pub const INVALID_REQUEST: i32 = -32600;

/// A message body larger than this is read and dropped: no editor sends a
/// rule file this large, and buffering it could exhaust memory.
const MAX_BODY_BYTES: usize = 64 << 20;

/// A header line longer than this is skipped to its end without being
/// buffered (real ones are a few dozen bytes).
const MAX_HEADER_LINE_BYTES: usize = 8 << 10;

/// What the reader hands to the main loop.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Input that could not be made into a message. `id` is the request id
    /// when one could be read (the error response then carries it).
    Malformed {
        id: Option<Value>,
        code: i32,
        message: String,
    },
}

/// Starts a thread that reads framed messages from `input`. The channel is
/// small so that a fast client is throttled rather than buffered without end.
pub fn spawn_reader(input: impl Read + Send + 'static) -> Receiver<Incoming> {
    let (sender, receiver) = sync_channel(64);
    std::thread::spawn(move || read_loop(BufReader::new(input), &sender));
    receiver
}

fn read_loop(input: impl BufRead, sender: &SyncSender<Incoming>) {
    let mut reader = FrameReader::new(input);
    loop {
        let incoming = match reader.read_frame() {
            Ok(Some(Frame::Body(body))) => decode(&body),
            Ok(Some(Frame::Bad(message))) => Incoming::Malformed { id: None, code: PARSE_ERROR, message },
            Ok(None) | Err(_) => return,
        };
        let is_exit = matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if sender.send(incoming).is_err() || is_exit {
            return;
        }
    }
}

#[derive(Debug)]
pub enum Frame {
    Body(Vec<u8>),
    /// A frame whose body was skipped, with the reason.
    Bad(String),
}

/// Splits a byte stream into frames, in bounded memory whatever the stream
/// holds, and finds the next frame again after one whose `Content-Length`
/// did not match its body.
pub struct FrameReader<R> {
    input: R,
    /// Bytes read too far (the start of the next frame inside an overlong
    /// body), read again before `input`.
    pending: Vec<u8>,
    pending_at: usize,
}

/// One header line, as far as it was kept.
enum Line {
    End,
    Text(Vec<u8>),
    /// Longer than the limit: skipped to its end.
    TooLong,
}

const HEADER_NAME: &[u8] = b"content-length:";

impl<R: BufRead> FrameReader<R> {
    pub fn new(input: R) -> FrameReader<R> {
        FrameReader { input, pending: Vec::new(), pending_at: 0 }
    }

    /// Reads one frame. `Ok(None)` at a clean end of input. Header lines may
    /// end in `\r\n` or `\n`; unknown headers are ignored.
    pub fn read_frame(&mut self) -> io::Result<Option<Frame>> {
        let mut length: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        let mut problem: Option<String> = None;
        loop {
            let mut line = match self.read_line()? {
                Line::End => return Ok(None),
                Line::Text(line) => line,
                Line::TooLong => {
                    saw_header = true;
                    problem = Some(format!("header line longer than {MAX_HEADER_LINE_BYTES} bytes"));
                    continue;
                }
            };
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            if line.is_empty() {
                if saw_header {
                    break;
                }
                // Blank lines between frames are noise, not an empty header block.
                continue;
            }
            // After a body shorter than its Content-Length said, its rest
            // comes before the next header on the same line: skip to the header.
            if let Some(at) = find_header_name(&line).filter(|&at| at > 0) {
                if !saw_header {
                    problem.get_or_insert_with(|| format!("{at} bytes of data before a Content-Length header"));
                }
                line.drain(..at);
            }
            saw_header = true;
            let text = String::from_utf8_lossy(&line);
            if let Some((name, value)) = text.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = Some(
                        value.trim().parse::<usize>().map_err(|_| format!("invalid Content-Length `{}`", value.trim())),
                    );
                }
            }
        }
        let frame = match length {
            None => Frame::Bad(problem.unwrap_or_else(|| "message without a Content-Length header".into())),
            Some(Err(reason)) => Frame::Bad(reason),
            Some(Ok(n)) if n > MAX_BODY_BYTES => {
                io::copy(&mut self.take(n as u64), &mut io::sink())?;
                Frame::Bad(format!("message of {n} bytes is larger than the limit of {MAX_BODY_BYTES}"))
            }
            Some(Ok(n)) => {
                // Grown as bytes arrive: a Content-Length alone allocates nothing.
                let mut body = Vec::new();
                self.take(n as u64).read_to_end(&mut body)?;
                if body.len() < n {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                self.resynchronise(&mut body);
                Frame::Body(body)
            }
        };
        Ok(Some(frame))
    }

    /// A body longer than its message: when it is not JSON and a header
    /// starts inside it, the Content-Length was too large and the next frame
    /// begins there; those bytes are read again as input.
    fn resynchronise(&mut self, body: &mut Vec<u8>) {
        if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
            return;
        }
        let Some(at) = find_header_name(body).filter(|&at| at > 0) else { return };
        let mut rest = body.split_off(at);
        rest.extend_from_slice(&self.pending[self.pending_at..]);
        self.pending = rest;
        self.pending_at = 0;
    }

    /// One line of at most `MAX_HEADER_LINE_BYTES`, newline included.
    fn read_line(&mut self) -> io::Result<Line> {
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            let buffer = self.fill_buf()?;
            if buffer.is_empty() {
                return Ok(if too_long {
                    Line::TooLong
                } else if line.is_empty() {
                    Line::End
                } else {
                    Line::Text(line)
                });
            }
            let (used, done) = match buffer.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buffer.len(), false),
            };
            if !too_long {
                if line.len() + used > MAX_HEADER_LINE_BYTES {
                    too_long = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(&buffer[..used]);
                }
            }
            self.consume(used);
            if done {
                return Ok(if too_long { Line::TooLong } else { Line::Text(line) });
            }
        }
    }
}

impl<R: BufRead> Read for FrameReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buffer = self.fill_buf()?;
            let n = buffer.len().min(out.len());
            out[..n].copy_from_slice(&buffer[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for FrameReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pending_at < self.pending.len() {
            return Ok(&self.pending[self.pending_at..]);
        }
        self.input.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.pending_at < self.pending.len() {
            self.pending_at += n;
            if self.pending_at >= self.pending.len() {
                self.pending.clear();
                self.pending_at = 0;
            }
        } else {
            self.input.consume(n);
        }
    }
}

/// Where a `Content-Length:` header name starts in `bytes` (any case).
fn find_header_name(bytes: &[u8]) -> Option<usize> {
    bytes.windows(HEADER_NAME.len()).position(|w| w.eq_ignore_ascii_case(HEADER_NAME))
}

/// Turns a body into a message, or into the error its sender should get.
pub fn decode(body: &[u8]) -> Incoming {
    let parsed = serde_json::from_slice::<Value>(body).or_else(|e| {
        // JavaScript strings may hold lone UTF-16 surrogates (`\ud800`), which
        // JSON parsers refuse; an editor can send them in a document's text.
        // They are read as U+FFFD rather than losing the whole message.
        match replace_lone_surrogates(body) {
            Some(fixed) => serde_json::from_slice::<Value>(&fixed).map_err(|_| e),
            None => Err(e),
        }
    });
    let value: Value = match parsed {
        Ok(value) => value,
        Err(e) => {
            return Incoming::Malformed { id: None, code: PARSE_ERROR, message: format!("invalid JSON: {e}") };
        }
    };
    // Only ids JSON-RPC allows are echoed back; anything else is answered with `null`.
    let id = value.get("id").filter(|id| id.is_i64() || id.is_u64() || id.is_string()).cloned();
    let has_id = value.get("id").is_some_and(|id| !id.is_null());
    let Some(object) = value.as_object() else {
        return Incoming::Malformed {
            id: None,
            code: INVALID_REQUEST,
            message: "a message must be a JSON object".into(),
        };
    };
    let has_method = object.contains_key("method");
    match serde_json::from_value::<Message>(value.clone()) {
        // An id that is neither an i32 nor a string makes lsp-server read a
        // request as a notification; it must still get an answer.
        Ok(Message::Notification(_)) if has_method && has_id => Incoming::Malformed {
            id,
            code: INVALID_REQUEST,
            message: "request id must be an integer or a string".into(),
        },
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Malformed { id, code: INVALID_REQUEST, message: format!("not a JSON-RPC message: {e}") },
    }
}

/// `body` with every `\uXXXX` escape of an unpaired surrogate replaced by
/// `\ufffd`; `None` when it has none.
fn replace_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    let escape_at = |i: usize| -> Option<u32> {
        let hex = body.get(i + 2..i + 6)?;
        if body.get(i + 1) != Some(&b'u') {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let mut out = Vec::with_capacity(body.len());
    let mut changed = false;
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        match escape_at(i) {
            Some(0xD800..=0xDBFF) if escape_at(i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) => {
                out.extend_from_slice(&body[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                changed = true;
                i += 6;
            }
            _ => {
                // Any other escape: copied with the character it escapes.
                let end = (i + 2).min(body.len());
                out.extend_from_slice(&body[i..end]);
                i = end;
            }
        }
    }
    changed.then_some(out)
}

/// Writes one message with its header and flushes.
pub fn write_message(output: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(output)
}

/// Writes an error response whose id may be `null` (which lsp-server's
/// `Response` cannot express).
pub fn write_error(output: &mut impl Write, id: Option<Value>, code: i32, message: &str) -> io::Result<()> {
    let body =
        serde_json::json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }).to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Incoming> {
        let (sender, receiver) = sync_channel(64);
        read_loop(io::Cursor::new(input.as_bytes().to_vec()), &sender);
        drop(sender);
        receiver.into_iter().collect()
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn reads_messages_and_survives_garbage() {
        let input = [
            framed(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#),
            framed("{not json"),
            "X-Nonsense: 1\r\n\r\n".to_string(),
            framed(r#"[1,2]"#),
            framed(r#"{"jsonrpc":"2.0","id":99999999999,"method":"x"}"#),
            "Content-Length: abc\r\n\r\n".to_string(),
            framed(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        ]
        .concat();
        let got = frames(&input);
        assert_eq!(got.len(), 7, "{got:?}");
        assert!(matches!(&got[0], Incoming::Message(Message::Request(r)) if r.method == "initialize"));
        assert!(matches!(&got[1], Incoming::Malformed { code: PARSE_ERROR, .. }));
        assert!(matches!(&got[2], Incoming::Malformed { code: PARSE_ERROR, .. }));
        assert!(matches!(&got[3], Incoming::Malformed { code: INVALID_REQUEST, .. }));
        assert!(matches!(&got[4], Incoming::Malformed { code: INVALID_REQUEST, id: Some(_), .. }));
        assert!(matches!(&got[5], Incoming::Malformed { code: PARSE_ERROR, .. }));
        assert!(matches!(&got[6], Incoming::Message(Message::Notification(n)) if n.method == "initialized"));
    }

    #[test]
    fn a_truncated_body_ends_the_stream_quietly() {
        assert!(frames("Content-Length: 100\r\n\r\n{\"jsonrpc\"").is_empty());
    }

    #[test]
    fn lf_only_headers_are_accepted() {
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let got = frames(&format!("Content-Length: {}\n\n{body}", body.len()));
        assert!(matches!(&got[..], [Incoming::Message(Message::Notification(n))] if n.method == "exit"));
    }
}
