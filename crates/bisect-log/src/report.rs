//! Structure of a kernel crash report (the text after `crash: <title>`).
//!
//! The report stays verbatim in [`crate::Crash::lines`]; this module only
//! finds sections and stack frames in it, pointing back at line numbers.
//!
//! # How lines are split into sections
//!
//! Sections are contiguous and cover every line exactly once, in order.
//!
//! * Everything before the first bug header (`BUG:`, `WARNING:`, a
//!   `==========` banner, `------------[ cut here ]------------`, …) is one
//!   [`SectionKind::Preamble`] with no frames. If no header is found at all,
//!   the report is still split into sections; it then starts with a preamble
//!   unless its first line opens some other section.
//! * The header runs until the next line that opens a section. Further
//!   header-like lines directly after it (the `BUG: KASAN: …` lines after the
//!   banner, `WARNING: CPU: …` after `cut here`, `Kernel panic - not syncing`)
//!   stay in it; later ones (`INFO: task … blocked` for the next hung task, the
//!   closing banner) open [`SectionKind::Other`] sections.
//! * Stack sections ([`SectionKind::CallTrace`], [`SectionKind::AllocatedBy`],
//!   [`SectionKind::FreedBy`], [`SectionKind::AuxiliaryStack`]) are opened by
//!   their title line (`Call Trace:`, `Allocated by task 1:`, `-> #1 (…):`,
//!   KCSAN's `read to 0x… of 8 bytes by task 1 on cpu 0:`, or any line ending
//!   in `:` that is directly followed by a frame). Frame lines that appear
//!   outside a stack section (after a register dump, after a KMSAN header)
//!   open a `CallTrace` whose title is that first frame line. A stack section
//!   ends at the first unindented line that is neither a frame nor followed by
//!   one (console noise interleaved with frames stays in the stack).
//! * Register lines (`RIP:`, `RSP:`, `RAX:`, …, arm64 `pc :`, `x29:`) form
//!   [`SectionKind::Registers`]; `RIP: 0010:func+0x1/0x2 file.c:3`, `IP:`,
//!   `pc :` and `lr :` lines are also recorded as frames of that section.
//! * `Code:` lines are one-line [`SectionKind::Code`] sections; `Code
//!   disassembly (best guess):` opens a `Code` section holding the listing.
//! * `Modules linked in:` is a one-line [`SectionKind::Modules`] section.
//! * `The buggy address belongs to …`, `Memory state around the buggy
//!   address:` and kmemleak's `unreferenced object …` open
//!   [`SectionKind::Memory`] sections, which keep everything (hex dumps,
//!   `page:` lines, the symbol after `The buggy address belongs to the
//!   variable:`, which is not recorded as a frame) up to the next section
//!   title; `page last allocated via …` / `page last free stack trace:` open
//!   auxiliary stacks.
//! * Preamble sections never hold frames.
//!
//! Timestamp prefixes like `[  123.456789][ T1234] ` are skipped before
//! matching; section titles are kept verbatim.

use serde::{Deserialize, Serialize};

use crate::model::Span;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Report {
    pub sections: Vec<Section>,
}

impl Report {
    /// All frames of all sections, in log order.
    pub fn frames(&self) -> impl Iterator<Item = &Frame> {
        self.sections.iter().flat_map(|s| s.frames.iter())
    }

    /// The first section of `kind`, if any.
    pub fn first(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub kind: SectionKind,
    /// The line that opened the section, verbatim (e.g. `Call Trace:`).
    pub title: String,
    pub span: Span,
    pub frames: Vec<Frame>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Console lines before the bug header.
    Preamble,
    /// `BUG: …`, `WARNING: …`, `general protection fault …` and the lines up to the next section.
    Header,
    CallTrace,
    AllocatedBy,
    FreedBy,
    /// `Last potentially related work creation:` and similar auxiliary stacks.
    AuxiliaryStack,
    /// `RIP:`/`RSP:`/`RAX:` … register dumps.
    Registers,
    /// `Code: …` bytes.
    Code,
    /// `Modules linked in:`
    Modules,
    /// Memory state dumps (`Memory state around the buggy address:` …).
    Memory,
    Other,
}

impl SectionKind {
    /// Whether sections of this kind are stack traces.
    pub fn is_stack(self) -> bool {
        matches!(
            self,
            SectionKind::CallTrace
                | SectionKind::AllocatedBy
                | SectionKind::FreedBy
                | SectionKind::AuxiliaryStack
        )
    }
}

/// One stack frame such as ` kfree+0xdb/0x3b0 mm/slub.c:4124` or
/// ` slab_free mm/slub.c:3142 [inline]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Line number in the log.
    pub line: u32,
    pub function: String,
    /// `0xdb` of `+0xdb/0x3b0`.
    pub offset: Option<String>,
    /// `0x3b0` of `+0xdb/0x3b0`.
    pub size: Option<String>,
    pub file: Option<String>,
    pub file_line: Option<u32>,
    pub inline: bool,
    /// `[module_name]` for frames in modules.
    pub module: Option<String>,
    /// Frames printed with a leading `?` are unreliable guesses.
    pub unreliable: bool,
}

/// Finds sections and frames in report `lines`; `first_line` is the log line
/// number of `lines[0]`.
pub fn parse(lines: &[String], first_line: u32) -> Report {
    let texts: Vec<&str> = lines.iter().map(|l| clean(l)).collect();
    let mut p = Builder {
        lines,
        first_line,
        sections: Vec::new(),
        state: State::default(),
    };
    let start = match texts.iter().position(|t| is_bug_header(t)) {
        Some(h) => {
            if h > 0 {
                p.open(SectionKind::Preamble, 0, State::default());
                p.extend(h - 1);
            }
            p.open(
                SectionKind::Header,
                h,
                State {
                    headerish_only: true,
                    ..State::default()
                },
            );
            h + 1
        }
        None => 0,
    };
    // Each line is tried as a frame once; the lookahead reuses the result.
    let frames: Vec<Option<RawFrame<'_>>> = texts
        .get(start..)
        .unwrap_or_default()
        .iter()
        .map(|t| parse_frame(t))
        .collect();
    for (k, (text, frame)) in texts
        .get(start..)
        .unwrap_or_default()
        .iter()
        .zip(&frames)
        .enumerate()
    {
        let next_is_frame = frames.get(k + 1).is_some_and(Option::is_some);
        p.line(start + k, text, *frame, next_is_frame);
    }
    Report {
        sections: p.sections,
    }
}

/// Per-section parsing state.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// Only header-like lines (and blanks) so far: more header lines may join.
    headerish_only: bool,
    /// A `Code disassembly` listing: keeps all following plain lines.
    disassembly: bool,
}

struct Builder<'a> {
    lines: &'a [String],
    first_line: u32,
    sections: Vec<Section>,
    state: State,
}

impl Builder<'_> {
    fn line_no(&self, i: usize) -> u32 {
        self.first_line
            .saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
    }

    fn open(&mut self, kind: SectionKind, i: usize, state: State) {
        let n = self.line_no(i);
        let title = self.lines.get(i).cloned().unwrap_or_default();
        self.sections.push(Section {
            kind,
            title,
            span: Span::line(n),
            frames: Vec::new(),
        });
        self.state = state;
    }

    fn extend(&mut self, i: usize) {
        let n = self.line_no(i);
        if let Some(s) = self.sections.last_mut() {
            s.span.extend_to(n);
        }
    }

    fn push_frame(&mut self, i: usize, f: RawFrame<'_>) {
        let line = self.line_no(i);
        if let Some(s) = self.sections.last_mut() {
            s.frames.push(f.into_frame(line));
        }
    }

    fn current(&self) -> Option<(SectionKind, usize)> {
        self.sections.last().map(|s| (s.kind, s.frames.len()))
    }

    /// Adds line `i`: `text` is the cleaned line, `frame` its parse as a
    /// frame, `next_is_frame` whether the following line is a frame.
    fn line(&mut self, i: usize, text: &str, frame: Option<RawFrame<'_>>, next_is_frame: bool) {
        let trimmed = text.trim();
        let cur = self.current();
        let Some((kind, nframes)) = cur else {
            // Only without a header: the first line decides.
            if let Some(k) = opener(text) {
                self.open(
                    k,
                    i,
                    State {
                        disassembly: is_disassembly(text),
                        ..State::default()
                    },
                );
                if k == SectionKind::Registers {
                    if let Some(f) = register_frame(text) {
                        self.push_frame(i, f);
                    }
                }
            } else if let Some(f) = frame {
                self.open(SectionKind::CallTrace, i, State::default());
                self.push_frame(i, f);
            } else if is_opening_marker(trimmed) {
                self.open(SectionKind::CallTrace, i, State::default());
            } else if ends_stack_title(trimmed) && next_is_frame {
                self.open(SectionKind::AuxiliaryStack, i, State::default());
            } else {
                self.open(SectionKind::Preamble, i, State::default());
            }
            return;
        };

        if trimmed.is_empty() {
            self.extend(i);
            return;
        }

        if is_bug_header(text) {
            if kind == SectionKind::Header
                || (kind == SectionKind::Other && self.state.headerish_only)
            {
                self.extend(i);
            } else {
                self.open(
                    SectionKind::Other,
                    i,
                    State {
                        headerish_only: true,
                        ..State::default()
                    },
                );
            }
            return;
        }

        if let Some(k) = opener(text) {
            match k {
                SectionKind::Registers | SectionKind::Memory if k == kind => self.extend(i),
                SectionKind::CallTrace
                    if kind.is_stack() && nframes == 0 && is_call_trace_title(trimmed) =>
                {
                    // `stack backtrace:` / `CPU: …` / `Call Trace:` is one stack.
                    self.extend(i);
                }
                _ => self.open(
                    k,
                    i,
                    State {
                        disassembly: is_disassembly(text),
                        ..State::default()
                    },
                ),
            }
            if k == SectionKind::Registers {
                if let Some(f) = register_frame(text) {
                    self.push_frame(i, f);
                }
            }
            return;
        }

        if let Some(f) = frame {
            if kind.is_stack() {
                self.extend(i);
                self.push_frame(i, f);
            } else if kind == SectionKind::Memory
                || (kind == SectionKind::Code && self.state.disassembly)
            {
                // `The buggy address belongs to the variable:` + symbol.
                self.extend(i);
            } else {
                self.open(SectionKind::CallTrace, i, State::default());
                self.push_frame(i, f);
            }
            return;
        }

        if is_marker(trimmed) {
            if kind.is_stack() || !is_opening_marker(trimmed) {
                self.extend(i);
            } else {
                self.open(SectionKind::CallTrace, i, State::default());
            }
            return;
        }

        let stack_title = next_is_frame && ends_stack_title(trimmed);
        if (stack_title && (!kind.is_stack() || nframes > 0))
            || (next_is_frame && kind == SectionKind::Memory)
        {
            self.open(SectionKind::AuxiliaryStack, i, State::default());
            return;
        }

        match kind {
            SectionKind::Preamble
            | SectionKind::Header
            | SectionKind::Other
            | SectionKind::Memory => {
                self.state.headerish_only = false;
                self.extend(i);
            }
            SectionKind::Code if self.state.disassembly || is_code_bytes(trimmed) => self.extend(i),
            SectionKind::Code | SectionKind::Modules | SectionKind::Registers => {
                self.open(SectionKind::Other, i, State::default());
            }
            SectionKind::CallTrace
            | SectionKind::AllocatedBy
            | SectionKind::FreedBy
            | SectionKind::AuxiliaryStack => {
                // Before the first frame (`CPU: …`, `Hardware name: …`), indented
                // continuation (`[<ffffffffffffffff>] 0xffffffffffffffff`) and
                // console noise between frames stay in the stack.
                let indented = text.starts_with([' ', '\t']);
                if nframes == 0 || indented || next_is_frame {
                    self.extend(i);
                } else {
                    self.open(SectionKind::Other, i, State::default());
                }
            }
        }
    }
}

/// Drops `\r` and a `[  123.456789][ T1234] ` console prefix.
fn clean(line: &str) -> &str {
    let s = line.trim_end_matches(['\r', '\n']).trim_start_matches('\r');
    strip_timestamp(s)
}

fn strip_timestamp(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(mut i) = bracket(b, 0, true) else {
        return s;
    };
    if let Some(j) = bracket(b, i, false) {
        i = j;
    }
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    // `i` is just after an ASCII byte, so it is a char boundary.
    s.get(i..).unwrap_or(s)
}

/// `[  123.456789]` (time) or `[ T1234]`/`[    C0]` (context) at `i`;
/// returns the index after `]`.
fn bracket(b: &[u8], mut i: usize, time: bool) -> Option<usize> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if time {
        let d = digits(b, i);
        if d == i || b.get(d) != Some(&b'.') {
            return None;
        }
        let e = digits(b, d + 1);
        if e == d + 1 {
            return None;
        }
        i = e;
    } else {
        if !matches!(b.get(i), Some(b'T' | b'C')) {
            return None;
        }
        let d = digits(b, i + 1);
        if d == i + 1 {
            return None;
        }
        i = d;
    }
    (b.get(i) == Some(&b']')).then_some(i + 1)
}

fn digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

const HEADER_PREFIXES: Prefixes = Prefixes::new(&[
    "BUG:",
    "BUG ",
    "WARNING:",
    "INFO:",
    "KASAN:",
    "KCSAN:",
    "KMSAN:",
    "UBSAN:",
    "KFENCE:",
    "general protection fault",
    "stack segment:",
    "stack-protector:",
    "divide error:",
    "divide_error:",
    "invalid opcode:",
    "kernel BUG",
    "Kernel BUG",
    "Unable to handle kernel",
    "Oops:",
    "Oops -",
    "Internal error:",
    "double fault:",
    "PANIC: double fault",
    "Kernel panic",
    "kernel panic",
    "kernel stack overflow",
    "unregister_netdevice: waiting for",
    "SYZFAIL:",
    "SYZFATAL:",
    "------------[ cut here ]------------",
    "rcu: INFO:",
    "watchdog: BUG:",
    "[ INFO:",
    "[ BUG:",
]);

/// A list of line prefixes with the set of their first bytes: a report line
/// is tested against every list, and most lines start with a byte that
/// begins none of the prefixes.
struct Prefixes {
    list: &'static [&'static str],
    first: [u64; 4],
}

impl Prefixes {
    /// Every prefix must be non-empty (a compile error otherwise).
    const fn new(list: &'static [&'static str]) -> Prefixes {
        let mut first = [0u64; 4];
        let mut i = 0;
        while i < list.len() {
            let c = list[i].as_bytes()[0];
            first[(c >> 6) as usize] |= 1 << (c & 63);
            i += 1;
        }
        Prefixes { list, first }
    }

    fn starts(&self, t: &str) -> bool {
        let Some(&c) = t.as_bytes().first() else {
            return false;
        };
        let b = t.as_bytes();
        self.first[(c >> 6) as usize] & (1 << (c & 63)) != 0
            && self
                .list
                .iter()
                .any(|p| p.as_bytes().first() == Some(&c) && b.starts_with(p.as_bytes()))
    }
}

/// A line that starts a bug report (or repeats one).
fn is_bug_header(t: &str) -> bool {
    if HEADER_PREFIXES.starts(t) {
        return true;
    }
    if is_banner(t) {
        return true;
    }
    // `2022/10/28 07:55:56 SYZFATAL: …`
    let b = t.as_bytes();
    if b.len() > 20
        && b[4] == b'/'
        && b[7] == b'/'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b' '
        && b[..19]
            .iter()
            .all(|c| c.is_ascii_digit() || b"/: ".contains(c))
    {
        let rest = &b[20..];
        return rest.starts_with(b"SYZFATAL:") || rest.starts_with(b"SYZFAIL:");
    }
    false
}

/// `==================================================================`
fn is_banner(t: &str) -> bool {
    let t = t.trim_end();
    t.len() >= 10 && t.bytes().all(|c| c == b'=')
}

const CALL_TRACE_TITLES: Prefixes = Prefixes::new(&[
    "Call Trace:",
    "Call trace:",
    "stack backtrace:",
    "backtrace:",
    "backtrace (crc",
    "Backtrace:",
]);

fn is_call_trace_title(trimmed: &str) -> bool {
    CALL_TRACE_TITLES.starts(trimmed)
}

const AUX_TITLES: Prefixes = Prefixes::new(&[
    "Last potentially related work creation:",
    "Second to last potentially related work creation:",
    "Last call_rcu():",
    "Second to last call_rcu():",
    "Uninit was created at:",
    "Uninit was stored to memory at:",
    "Preemption disabled at:",
    "page last allocated via",
    "page last free ",
]);

const MEMORY_TITLES: Prefixes = Prefixes::new(&[
    "Memory state around the buggy address",
    "The buggy address belongs to",
    "The buggy address is located",
    "unreferenced object 0x",
    "Object at ",
]);

const OTHER_TITLES: Prefixes = Prefixes::new(&[
    "---[ end trace",
    "---[ end Kernel panic",
    "Kernel Offset:",
    "Rebooting in ",
    "NMI backtrace for cpu",
    "Sending NMI from CPU",
    "Showing all locks held",
    "Showing busy workqueues",
    "other info that might help us debug this",
    "the existing dependency chain",
    "Chain exists of:",
    "irq event stamp:",
    "but task is already holding lock:",
    "which lock already depends on the new lock",
    "Dumping ftrace buffer:",
]);

/// The kind of section that `text` opens by its wording alone.
fn opener(text: &str) -> Option<SectionKind> {
    if is_register_line(text) {
        return Some(SectionKind::Registers);
    }
    let t = text.trim();
    if text.starts_with("Code: ") || text == "Code:" || is_disassembly(text) {
        return Some(SectionKind::Code);
    }
    if t.starts_with("Modules linked in:") {
        return Some(SectionKind::Modules);
    }
    if is_call_trace_title(t) || is_kcsan_access(t) {
        return Some(SectionKind::CallTrace);
    }
    if t.ends_with(':') {
        if t.starts_with("Allocated by task ") || t.starts_with("allocated by task ") {
            return Some(SectionKind::AllocatedBy);
        }
        if t.starts_with("Freed by task ") || t.starts_with("freed by task ") {
            return Some(SectionKind::FreedBy);
        }
        if t.starts_with("Local variable ") && t.ends_with("created at:") {
            return Some(SectionKind::AuxiliaryStack);
        }
    }
    // Old KASAN: `Allocation:` / `Deallocation:` (then `PID = 1`), SLUB `Freed:`.
    match t {
        "Allocation:" | "Allocated:" => return Some(SectionKind::AllocatedBy),
        "Deallocation:" | "Freed:" => return Some(SectionKind::FreedBy),
        _ => {}
    }
    // Lockdep chain `-> #1 (&lock){+.+.}-{3:3}:`; old kernels split it over lines.
    if t.starts_with("-> #") {
        return Some(SectionKind::AuxiliaryStack);
    }
    if AUX_TITLES.starts(t) {
        return Some(SectionKind::AuxiliaryStack);
    }
    if MEMORY_TITLES.starts(t) {
        return Some(SectionKind::Memory);
    }
    if OTHER_TITLES.starts(t) {
        return Some(SectionKind::Other);
    }
    None
}

/// The rest of a `Code:` line that another CPU's output split: `8d 24 <48> ff`.
fn is_code_bytes(trimmed: &str) -> bool {
    trimmed.split_ascii_whitespace().all(|tok| {
        let b = tok.as_bytes();
        let inner = match b {
            [b'<', x @ .., b'>'] | [b'(', x @ .., b')'] => x,
            x => x,
        };
        inner.len() == 2 && inner.iter().all(u8::is_ascii_hexdigit)
    })
}

fn is_disassembly(text: &str) -> bool {
    text.starts_with("Code disassembly")
}

/// KCSAN: `read to 0xffff888… of 8 bytes by task 1 on cpu 0:`,
/// `write (marked) to …`, `read-write to … by interrupt on cpu 1:`.
fn is_kcsan_access(t: &str) -> bool {
    let rest = ["read-write ", "read ", "write "]
        .iter()
        .find_map(|p| t.strip_prefix(p));
    let Some(rest) = rest else {
        return false;
    };
    let rest = rest.strip_prefix("(marked) ").unwrap_or(rest);
    rest.starts_with("to 0x")
        && t.ends_with(':')
        && (t.contains(" by task ") || t.contains(" by interrupt"))
}

/// A line ending with `:` (`Preemption disabled at:`, `INITIAL USE at:`,
/// `{SOFTIRQ-ON-W} state was registered at:`); only a title when a frame follows.
fn ends_stack_title(trimmed: &str) -> bool {
    trimmed.len() <= 200 && trimmed.ends_with(':')
}

const MARKERS: &[&str] = &[
    "<IRQ>",
    "</IRQ>",
    "<TASK>",
    "</TASK>",
    "<NMI>",
    "</NMI>",
    "<EOI>",
    "<SOFTIRQ>",
    "</SOFTIRQ>",
];

fn is_marker(trimmed: &str) -> bool {
    MARKERS.contains(&trimmed)
}

fn is_opening_marker(trimmed: &str) -> bool {
    is_marker(trimmed) && !trimmed.starts_with("</") && trimmed != "<EOI>"
}

const X86_REGISTERS: &[&str] = &[
    "RIP", "RSP", "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R8", "R9", "R08", "R09", "R10",
    "R11", "R12", "R13", "R14", "R15", "FS", "GS", "CS", "DS", "ES", "SS", "CR0", "CR2", "CR3",
    "CR4", "DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "PKRU", "IP", "EIP", "EAX", "EBX", "ECX",
    "EDX", "ESI", "EDI", "EBP", "ESP", "EFLAGS",
];

/// `RAX: 0000…`, `FS:  0000…`, `RIP: 0010:func…`, arm64 `pc : …`, `x29: …`.
fn is_register_line(text: &str) -> bool {
    let b = text.as_bytes();
    let Some(colon) = b.iter().take(8).position(|&c| c == b':') else {
        return false;
    };
    let Some(name) = text.get(..colon) else {
        return false;
    };
    let value = text.get(colon + 1..).unwrap_or("");
    if !value.starts_with(' ') {
        return false;
    }
    let value = value.trim_start();
    let hex_follows = value.as_bytes().first().is_some_and(u8::is_ascii_hexdigit);
    if name.starts_with(|c: char| c.is_ascii_uppercase()) && X86_REGISTERS.contains(&name) {
        return hex_follows || (matches!(name, "IP" | "EIP") && value.starts_with("[<"));
    }
    // arm64: `pc : func+0x…`, `lr : …`, `sp : ffff…`, `x29: …`, `x9 : …`, `pstate: …`.
    let name = name.trim_end();
    match name {
        "pc" | "lr" => !value.is_empty(),
        "sp" | "pstate" => hex_follows,
        _ => {
            name.len() >= 2
                && name.len() <= 3
                && name.starts_with('x')
                && name.bytes().skip(1).all(|c| c.is_ascii_digit())
                && hex_follows
        }
    }
}

/// The frame in `RIP: 0010:func+0x1/0x2 file.c:3`, `IP: [<ffff…>] func+…`,
/// `EIP: func+…`, arm64 `pc : func+…` / `lr : func+…`.
fn register_frame(text: &str) -> Option<RawFrame<'_>> {
    let rest = ["RIP: ", "EIP: ", "IP: ", "pc : ", "lr : "]
        .iter()
        .find_map(|p| text.strip_prefix(p))?;
    let rest = rest.trim_start();
    let b = rest.as_bytes();
    let rest = if b.len() > 5 && b[..4].iter().all(u8::is_ascii_hexdigit) && b[4] == b':' {
        rest.get(5..)?
    } else {
        rest
    };
    parse_frame_body(strip_address(rest), false)
}

/// A frame as slices of the cleaned line.
#[derive(Debug, Clone, Copy)]
struct RawFrame<'a> {
    function: &'a str,
    offset: Option<&'a str>,
    size: Option<&'a str>,
    file: Option<&'a str>,
    file_line: Option<u32>,
    inline: bool,
    module: Option<&'a str>,
    unreliable: bool,
}

impl RawFrame<'_> {
    fn into_frame(self, line: u32) -> Frame {
        Frame {
            line,
            function: self.function.to_string(),
            offset: self.offset.map(str::to_string),
            size: self.size.map(str::to_string),
            file: self.file.map(str::to_string),
            file_line: self.file_line,
            inline: self.inline,
            module: self.module.map(str::to_string),
            unreliable: self.unreliable,
        }
    }
}

/// ` kfree+0xdb/0x3b0 mm/slub.c:4124`, ` ? do_syscall_64+0x2d/0x70 …`,
/// `    [<00000000a83b4f1e>] kmalloc include/linux/slab.h:586 [inline]`.
fn parse_frame(text: &str) -> Option<RawFrame<'_>> {
    let s = strip_address(text.trim_start());
    match s.strip_prefix("? ") {
        Some(rest) => parse_frame_body(strip_address(rest.trim_start()), true),
        None => parse_frame_body(s, false),
    }
}

/// Drops a leading `[<ffffffff8123abcd>]` and the spaces after it.
fn strip_address(s: &str) -> &str {
    let Some(rest) = s.strip_prefix("[<") else {
        return s;
    };
    let Some(end) = rest.find(">]") else {
        return s;
    };
    let addr = &rest.as_bytes()[..end];
    if addr.is_empty() || !addr.iter().all(u8::is_ascii_hexdigit) {
        return s;
    }
    rest.get(end + 2..).map_or(s, str::trim_start)
}

/// `func[+0xOFF[/0xSIZE]] [file[:line[:col]]] [[inline]] [[module]]`.
fn parse_frame_body(s: &str, unreliable: bool) -> Option<RawFrame<'_>> {
    let mut tokens = s.split_ascii_whitespace();
    let first = tokens.next()?;
    let (function, off) = match first.split_once('+') {
        Some((f, o)) => (f, Some(o)),
        None => (first, None),
    };
    if !is_function(function) {
        return None;
    }
    let (offset, size) = match off {
        Some(o) => {
            let (a, b) = parse_offset(o)?;
            (Some(a), b)
        }
        None => (None, None),
    };
    let mut frame = RawFrame {
        function,
        offset,
        size,
        file: None,
        file_line: None,
        inline: false,
        module: None,
        unreliable,
    };
    for tok in tokens {
        if tok == "[inline]" && !frame.inline {
            frame.inline = true;
        } else if let Some(m) = tok.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            if frame.module.is_some() || !is_module(m) {
                return None;
            }
            frame.module = Some(m);
        } else if frame.file.is_none() {
            let (file, line) = parse_file(tok)?;
            frame.file = Some(file);
            frame.file_line = line;
        } else {
            return None;
        }
    }
    // A bare `word file` is prose; frames have an offset or `file:line`.
    if frame.offset.is_none() && frame.file_line.is_none() {
        return None;
    }
    Some(frame)
}

/// A C identifier, possibly with compiler suffixes (`foo.cold`, `bar.isra.0`).
fn is_function(f: &str) -> bool {
    let b = f.as_bytes();
    let Some(&c0) = b.first() else {
        return false;
    };
    (c0.is_ascii_alphabetic() || c0 == b'_')
        && b.len() <= 512
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        && !f.ends_with('.')
        && !f.contains("..")
}

/// `0xdb/0x3b0` → (`0xdb`, Some(`0x3b0`)).
fn parse_offset(o: &str) -> Option<(&str, Option<&str>)> {
    let (off, size) = match o.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (o, None),
    };
    let hex = |x: &str| {
        x.strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()))
    };
    if !hex(off) || size.is_some_and(|s| !hex(s)) {
        return None;
    }
    Some((off, size))
}

fn is_module(m: &str) -> bool {
    !m.is_empty()
        && m.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// `mm/slub.c:4124` → (`mm/slub.c`, Some(4124)); `arch/x86/entry/entry_64.S`.
fn parse_file(tok: &str) -> Option<(&str, Option<u32>)> {
    let (path, line) = match tok.split_once(':') {
        Some((p, rest)) => {
            let num = rest.split(':').next().unwrap_or("");
            if num.is_empty() || !num.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (p, num.parse::<u32>().ok())
        }
        None => (tok, None),
    };
    let valid = !path.is_empty()
        && path
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_./+-,".contains(&c))
        && path.bytes().any(|c| c.is_ascii_alphanumeric());
    let looks_like_source = path.contains('/')
        || [".c", ".h", ".S", ".s", ".rs"]
            .iter()
            .any(|e| path.len() > e.len() && path.ends_with(e));
    (valid && looks_like_source).then_some((path, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_sets_agree_with_starts_with() {
        let lists = [
            HEADER_PREFIXES,
            CALL_TRACE_TITLES,
            AUX_TITLES,
            MEMORY_TITLES,
            OTHER_TITLES,
        ];
        let lines = [
            "",
            "k",
            "kernel BUG at mm/slub.c:1",
            "kobject: 'rx-0' (ffff888): kobject_cleanup",
            "BUG: KASAN: use-after-free",
            "BUG",
            "Call Trace:",
            "backtrace (crc 1234):",
            "Object at ffff, in cache",
            "---[ end trace 0000 ]---",
            "é BUG:",
            "\u{fffd}",
            "[ BUG: bad unlock balance detected! ]",
        ];
        for p in &lists {
            for line in lines {
                let naive = p.list.iter().any(|x| line.starts_with(x));
                assert_eq!(p.starts(line), naive, "{line:?}");
            }
        }
    }
}
