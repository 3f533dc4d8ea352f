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

fn read_loop(mut input: impl BufRead, sender: &SyncSender<Incoming>) {
    loop {
        let incoming = match read_frame(&mut input) {
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

enum Frame {
    Body(Vec<u8>),
    /// A frame whose body was skipped, with the reason.
    Bad(String),
}

/// Reads one frame. `Ok(None)` at a clean end of input. Header lines may end
/// in `\r\n` or `\n`; unknown headers are ignored.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between frames are noise, not an empty header block.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value.trim().parse::<usize>().map_err(|_| format!("invalid Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    match length {
        None => Ok(Some(Frame::Bad("message without a Content-Length header".into()))),
        Some(Err(reason)) => Ok(Some(Frame::Bad(reason))),
        Some(Ok(n)) if n > MAX_BODY_BYTES => {
            io::copy(&mut input.take(n as u64), &mut io::sink())?;
            Ok(Some(Frame::Bad(format!("message of {n} bytes is larger than the limit of {MAX_BODY_BYTES}"))))
        }
        Some(Ok(n)) => {
            let mut body = vec![0; n];
            input.read_exact(&mut body)?;
            Ok(Some(Frame::Body(body)))
        }
    }
}

/// Turns a body into a message, or into the error its sender should get.
pub fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
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
