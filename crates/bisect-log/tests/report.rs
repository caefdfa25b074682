//! Tests for `bisect_log::report::parse` on excerpts of real syzbot crash
//! reports, plus a run over the whole corpus when it is present.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bisect_log::report::{parse, Frame, Report, Section, SectionKind};

use SectionKind::*;

/// Splits an inline excerpt (a raw string starting with a newline) into lines.
fn lines(text: &str) -> Vec<String> {
    text.strip_prefix('\n')
        .unwrap_or(text)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Sections are contiguous, in order, cover every line exactly once, and each
/// frame lies inside its section.
fn assert_covers(report: &Report, n: usize, first_line: u32) {
    if n == 0 {
        assert!(
            report.sections.is_empty(),
            "empty input has sections: {report:?}"
        );
        return;
    }
    let mut expected = first_line;
    for s in &report.sections {
        assert_eq!(s.span.first, expected, "gap or overlap before {s:?}");
        assert!(s.span.first <= s.span.last, "inverted span {s:?}");
        let mut prev = 0;
        for f in &s.frames {
            assert!(s.span.contains(f.line), "frame {f:?} outside {:?}", s.span);
            assert!(f.line > prev, "frames out of order in {s:?}");
            prev = f.line;
        }
        if s.kind == Preamble {
            assert!(s.frames.is_empty(), "preamble with frames: {s:?}");
        }
        expected = s.span.last + 1;
    }
    assert_eq!(
        expected,
        first_line + n as u32,
        "sections do not reach the last line"
    );
}

fn parsed(text: &str, first_line: u32) -> (Vec<String>, Report) {
    let l = lines(text);
    let r = parse(&l, first_line);
    assert_covers(&r, l.len(), first_line);
    (l, r)
}

fn kinds(r: &Report) -> Vec<SectionKind> {
    r.sections.iter().map(|s| s.kind).collect()
}

fn section(r: &Report, kind: SectionKind, nth: usize) -> &Section {
    r.sections
        .iter()
        .filter(|s| s.kind == kind)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {kind:?} #{nth} in {r:#?}"))
}

fn functions(s: &Section) -> Vec<&str> {
    s.frames.iter().map(|f| f.function.as_str()).collect()
}

fn frame<'a>(r: &'a Report, function: &str) -> &'a Frame {
    r.frames()
        .find(|f| f.function == function)
        .unwrap_or_else(|| panic!("no frame {function}"))
}

// Log_10056f70d00000: KASAN use-after-free in batadv (4.20-rc4), middle frames trimmed.
const KASAN_UAF: &str = r"
device bridge_slave_0 left promiscuous mode
bridge0: port 1(bridge_slave_0) entered disabled state
==================================================================
BUG: KASAN: use-after-free in memcpy include/linux/string.h:352 [inline]
BUG: KASAN: use-after-free in batadv_iv_ogm_aggregate_new net/batman-adv/bat_iv_ogm.c:551 [inline]
BUG: KASAN: use-after-free in batadv_iv_ogm_queue_add+0x327/0xf00 net/batman-adv/bat_iv_ogm.c:647
Read of size 60 at addr ffff8880b3ad6660 by task kworker/u4:1/21

CPU: 1 PID: 21 Comm: kworker/u4:1 Not tainted 4.20.0-rc4-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011
Workqueue: bat_events batadv_iv_send_outstanding_bat_ogm_packet
Call Trace:
 __dump_stack lib/dump_stack.c:77 [inline]
 dump_stack+0x86/0xca lib/dump_stack.c:113
 print_address_description.cold.5+0x9/0x244 mm/kasan/report.c:256
 kasan_report_error mm/kasan/report.c:354 [inline]
 kasan_report.cold.6+0x242/0x304 mm/kasan/report.c:412
 memcpy+0x23/0x50 mm/kasan/kasan.c:302
 memcpy include/linux/string.h:352 [inline]
 batadv_iv_ogm_aggregate_new net/batman-adv/bat_iv_ogm.c:551 [inline]
 batadv_iv_ogm_queue_add+0x327/0xf00 net/batman-adv/bat_iv_ogm.c:647
 process_one_work+0x7b9/0x15a0 kernel/workqueue.c:2153
 worker_thread+0x85/0xb60 kernel/workqueue.c:2296
 kthread+0x324/0x3e0 kernel/kthread.c:246
 ret_from_fork+0x24/0x30 arch/x86/entry/entry_64.S:352

Allocated by task 21:
 save_stack mm/kasan/kasan.c:448 [inline]
 set_track mm/kasan/kasan.c:460 [inline]
 kasan_kmalloc.part.1+0x62/0xf0 mm/kasan/kasan.c:553
 kasan_kmalloc+0xaf/0xc0 mm/kasan/kasan.c:538
 __kmalloc+0x157/0x340 mm/slub.c:3787
 kmalloc include/linux/slab.h:551 [inline]
 batadv_tvlv_realloc_packet_buff net/batman-adv/tvlv.c:289 [inline]
 batadv_tvlv_container_ogm_append+0x16f/0x4b0 net/batman-adv/tvlv.c:330

Freed by task 51:
 save_stack mm/kasan/kasan.c:448 [inline]
 __kasan_slab_free+0x167/0x240 mm/kasan/kasan.c:521
 slab_free mm/slub.c:2991 [inline]
 kfree+0xf2/0x310 mm/slub.c:3942
 batadv_iv_ogm_iface_disable+0x34/0x70 net/batman-adv/bat_iv_ogm.c:233
 ops_exit_list.isra.0+0xd3/0x120 net/core/net_namespace.c:156
 cleanup_net+0x363/0x840 net/core/net_namespace.c:551

The buggy address belongs to the object at ffff8880b3ad6660
 which belongs to the cache kmalloc-64 of size 64
The buggy address is located 0 bytes inside of
 64-byte region [ffff8880b3ad6660, ffff8880b3ad66a0)
The buggy address belongs to the page:
page:ffffea0002ceb580 count:1 mapcount:0 mapping:ffff88813ff35600 index:0xffff8880b3ad6300
flags: 0xfff00000000200(slab)
page dumped because: kasan: bad access detected

Memory state around the buggy address:
 ffff8880b3ad6500: fb fb fb fb fc fc fc fc fb fb fb fb fb fb fb fb
>ffff8880b3ad6600: fb fb fb fb fb fb fb fb fc fc fc fc fb fb fb fb
                                                       ^
 ffff8880b3ad6680: fb fb fb fb fc fc fc fc fb fb fb fb fb fb fb fb
==================================================================
";

#[test]
fn kasan_use_after_free_with_allocated_and_freed() {
    let (_, r) = parsed(KASAN_UAF, 100);
    assert_eq!(
        kinds(&r),
        vec![
            Preamble,
            Header,
            CallTrace,
            AllocatedBy,
            FreedBy,
            Memory,
            Other
        ]
    );

    let pre = section(&r, Preamble, 0);
    assert_eq!((pre.span.first, pre.span.last), (100, 101));
    let header = section(&r, Header, 0);
    assert_eq!(
        header.title,
        "=================================================================="
    );
    assert_eq!((header.span.first, header.span.last), (102, 110));
    assert!(
        header.frames.is_empty(),
        "the `BUG: KASAN: … in f file:line` lines are not frames"
    );

    let trace = section(&r, CallTrace, 0);
    assert_eq!(trace.title, "Call Trace:");
    assert_eq!(trace.frames.len(), 13);
    let first = &trace.frames[0];
    assert_eq!(first.line, 112);
    assert_eq!(first.function, "__dump_stack");
    assert_eq!(first.file.as_deref(), Some("lib/dump_stack.c"));
    assert_eq!(first.file_line, Some(77));
    assert!(first.inline);
    assert_eq!(first.offset, None);
    let cold = &trace.frames[2];
    assert_eq!(cold.function, "print_address_description.cold.5");
    assert_eq!(
        (cold.offset.as_deref(), cold.size.as_deref()),
        (Some("0x9"), Some("0x244"))
    );
    assert!(!cold.inline);
    assert_eq!(
        trace.frames[12].file.as_deref(),
        Some("arch/x86/entry/entry_64.S")
    );

    let alloc = section(&r, AllocatedBy, 0);
    assert_eq!(alloc.title, "Allocated by task 21:");
    assert_eq!(alloc.frames.len(), 8);
    let freed = section(&r, FreedBy, 0);
    assert_eq!(freed.title, "Freed by task 51:");
    assert_eq!(freed.frames.len(), 7);
    let kfree = frame(&r, "kfree");
    assert_eq!(kfree.offset.as_deref(), Some("0xf2"));
    assert_eq!(kfree.size.as_deref(), Some("0x310"));
    assert_eq!(kfree.file.as_deref(), Some("mm/slub.c"));
    assert_eq!(kfree.file_line, Some(3942));
    assert_eq!(
        frame(&r, "ops_exit_list.isra.0").offset.as_deref(),
        Some("0xd3")
    );

    let mem = section(&r, Memory, 0);
    assert!(mem
        .title
        .starts_with("The buggy address belongs to the object"));
    assert!(mem.frames.is_empty());
    assert_eq!(
        section(&r, Other, 0).title,
        "=================================================================="
    );
}

// seeds/000: WARNING: ODEBUG bug in netdev_run_todo (5.11-rc2).
const WARNING_ODEBUG: &str = r"
bond0 (unregistering): Released all slaves
------------[ cut here ]------------
ODEBUG: free active (active state 0) object type: timer_list hint: delayed_work_timer_fn+0x0/0x90 kernel/workqueue.c:1601
WARNING: CPU: 0 PID: 23313 at lib/debugobjects.c:505 debug_print_object+0x16e/0x250 lib/debugobjects.c:505
Modules linked in:
CPU: 0 PID: 23313 Comm: kworker/u4:43 Not tainted 5.11.0-rc2-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011
Workqueue: netns cleanup_net
RIP: 0010:debug_print_object+0x16e/0x250 lib/debugobjects.c:505
Code: ff df 48 89 fa 48 c1 ea 03 80 3c 02 00 0f 85 af 00 00 00 48 8b 14 dd 60 cc dd 88 4c 89 ee 48 c7 c7 60 c0 dd 88 e8 f7 74 7d 04 <0f> 0b 83 05 a5 98 bc 08 01 48 83 c4 18 5b 5d 41 5c 41 5d 41 5e c3
RSP: 0018:ffffc90012cef888 EFLAGS: 00010282
RAX: 0000000000000000 RBX: 0000000000000003 RCX: 0000000000000000
RDX: 0000000000000001 RSI: ffffffff88ddbc40 RDI: fffff5200259df03
RBP: 0000000000000001 R08: 0000000000000001 R09: ffff8880b9e30827
R10: ffffed10173c6104 R11: 0000000000000001 R12: ffffffff888cd280
R13: ffffffff88ddc6a0 R14: ffffffff81593cb0 R15: dffffc0000000000
FS:  0000000000000000(0000) GS:ffff8880b9e00000(0000) knlGS:0000000000000000
CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
CR2: 0000000000000000 CR3: 000000002273f000 CR4: 00000000001506f0
DR0: 0000000000000000 DR1: 0000000000000000 DR2: 0000000000000000
DR3: 0000000000000000 DR6: 00000000fffe0ff0 DR7: 0000000000000400
Call Trace:
 __debug_check_no_obj_freed lib/debugobjects.c:987 [inline]
 debug_check_no_obj_freed+0x301/0x420 lib/debugobjects.c:1018
 slab_free_hook mm/slub.c:1539 [inline]
 slab_free_freelist_hook+0x107/0x150 mm/slub.c:1580
 slab_free mm/slub.c:3142 [inline]
 kfree+0xdb/0x3b0 mm/slub.c:4124
 device_release+0x93/0x200 drivers/base/core.c:1962
 kthread+0x36f/0x450 kernel/kthread.c:292
 ret_from_fork+0x1f/0x30 arch/x86/entry/entry_64.S:296
";

#[test]
fn warning_cut_here_registers_code_call_trace() {
    let (_, r) = parsed(WARNING_ODEBUG, 1);
    assert_eq!(
        kinds(&r),
        vec![Preamble, Header, Modules, Other, Registers, Code, Registers, CallTrace]
    );
    let header = section(&r, Header, 0);
    assert_eq!(header.title, "------------[ cut here ]------------");
    assert_eq!((header.span.first, header.span.last), (2, 4));
    assert!(header.frames.is_empty());
    assert_eq!(
        section(&r, Modules, 0).span,
        bisect_log::Span { first: 5, last: 5 }
    );
    assert!(section(&r, Other, 0).title.starts_with("CPU: 0 PID: 23313"));

    let regs = section(&r, Registers, 0);
    assert_eq!(regs.frames.len(), 1);
    let rip = &regs.frames[0];
    assert_eq!(rip.line, 9);
    assert_eq!(rip.function, "debug_print_object");
    assert_eq!(
        (rip.offset.as_deref(), rip.size.as_deref()),
        (Some("0x16e"), Some("0x250"))
    );
    assert_eq!(
        (rip.file.as_deref(), rip.file_line),
        (Some("lib/debugobjects.c"), Some(505))
    );
    assert_eq!(
        section(&r, Code, 0).span,
        bisect_log::Span {
            first: 10,
            last: 10
        }
    );
    let regs2 = section(&r, Registers, 1);
    assert_eq!((regs2.span.first, regs2.span.last), (11, 21));
    assert!(regs2.frames.is_empty());

    let trace = section(&r, CallTrace, 0);
    assert_eq!(
        functions(trace),
        vec![
            "__debug_check_no_obj_freed",
            "debug_check_no_obj_freed",
            "slab_free_hook",
            "slab_free_freelist_hook",
            "slab_free",
            "kfree",
            "device_release",
            "kthread",
            "ret_from_fork"
        ]
    );
    assert_eq!(r.frames().count(), 10);
}

// Log_101477fde00000: general protection fault in erspan_netlink_parms.
const GPF: &str = r"
netlink: 4 bytes leftover after parsing attributes in process `syz-executor.5'.
general protection fault, probably for non-canonical address 0xdffffc0000000016: 0000 [#1] PREEMPT SMP KASAN
KASAN: null-ptr-deref in range [0x00000000000000b0-0x00000000000000b7]
CPU: 1 PID: 8456 Comm: syz-executor.5 Not tainted 5.6.0-rc5-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011
RIP: 0010:erspan_netlink_parms.isra.18+0x33/0x3f0 net/ipv4/ip_gre.c:1172
Code: f3 48 83 ec 08 e8 4d f5 ff ff 85 c0 0f 85 b7 00 00 00 48 8d bb b0 00 00 00 48 ba 00 00 00 00 00 fc ff df 48 89 f9 48 c1 e9 03 <80> 3c 11 00 0f 85 cc 02 00 00 4c 8b a3 b0 00 00 00 4d 85 e4 0f 84
RSP: 0018:ffffc90002d970c8 EFLAGS: 00010202
RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000016
R13: 0000000000000000 R14: ffffc90002d97470 R15: ffff8880981df814
Call Trace:
 erspan_newlink+0xec/0x110 net/ipv4/ip_gre.c:1341
 __rtnl_newlink+0xbe9/0x1250 net/core/rtnetlink.c:3319
 rtnl_newlink+0x5c/0x80 net/core/rtnetlink.c:3377
 netlink_unicast_kernel net/netlink/af_netlink.c:1303 [inline]
 netlink_unicast+0x434/0x630 net/netlink/af_netlink.c:1329
 do_syscall_64+0xc6/0x620 arch/x86/entry/common.c:294
 entry_SYSCALL_64_after_hwframe+0x49/0xbe
RIP: 0033:0x45c849
Code: ad b6 fb ff c3 66 2e 0f 1f 84 00 00 00 00 00 66 90 48 89 f8 48 89 f7 48 89 d6 48 89 ca 4d 89 c2 4d 89 c8 4c 8b 4c 24 08 0f 05 <48> 3d 01 f0 ff ff 0f 83 7b b6 fb ff c3 66 2e 0f 1f 84 00 00 00 00
RSP: 002b:00007f0c0132fc78 EFLAGS: 00000246 ORIG_RAX: 000000000000002e
R13: 00000000000009f9 R14: 00000000004ccb17 R15: 000000000076bf0c
Modules linked in:
---[ end trace abccb3aad271dbde ]---
RIP: 0010:erspan_netlink_parms.isra.18+0x33/0x3f0 net/ipv4/ip_gre.c:1172
Code: f3 48 83 ec 08 e8 4d f5 ff ff 85 c0 0f 85 b7 00 00 00 48 8d bb b0 00 00 00 48 ba 00 00 00 00 00 fc ff df 48 89 f9 48 c1 e9 03 <80> 3c 11 00 0f 85 cc 02 00 00 4c 8b a3 b0 00 00 00 4d 85 e4 0f 84
RSP: 0018:ffffc90002d970c8 EFLAGS: 00010202
DR3: 0000000000000000 DR6: 00000000fffe0ff0 DR7: 0000000000000400
";

#[test]
fn general_protection_fault() {
    let (_, r) = parsed(GPF, 50);
    assert_eq!(
        kinds(&r),
        vec![
            Preamble, Header, Registers, Code, Registers, CallTrace, Registers, Code, Registers,
            Modules, Other, Registers, Code, Registers
        ]
    );
    let header = section(&r, Header, 0);
    assert!(header
        .title
        .starts_with("general protection fault, probably for non-canonical"));
    assert_eq!((header.span.first, header.span.last), (51, 54));

    let rip = &section(&r, Registers, 0).frames;
    assert_eq!(rip.len(), 1);
    assert_eq!(rip[0].function, "erspan_netlink_parms.isra.18");
    assert_eq!(rip[0].file_line, Some(1172));
    // `RIP: 0033:0x45c849` (user space) is no frame.
    assert!(section(&r, Registers, 2).frames.is_empty());

    let trace = section(&r, CallTrace, 0);
    assert_eq!(trace.frames.len(), 7);
    let entry = trace.frames.last().unwrap();
    assert_eq!(entry.function, "entry_SYSCALL_64_after_hwframe");
    assert_eq!(
        (entry.offset.as_deref(), entry.size.as_deref()),
        (Some("0x49"), Some("0xbe"))
    );
    assert_eq!(entry.file, None);
    assert_eq!(entry.file_line, None);
    assert_eq!(
        section(&r, Other, 0).title,
        "---[ end trace abccb3aad271dbde ]---"
    );
    assert_eq!(
        section(&r, Registers, 4).frames[0].function,
        "erspan_netlink_parms.isra.18"
    );
}

// Log_1011e27ee00000: INFO: task hung in lock_sock_nested.
const TASK_HUNG: &str = r#"
INFO: task syz-executor.1:8008 blocked for more than 143 seconds.
      Not tainted 5.5.0-rc1-syzkaller #0
"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
syz-executor.1  D29496  8008   7960 0x00000004
Call Trace:
 context_switch kernel/sched/core.c:3385 [inline]
 __schedule+0x8a9/0x1970 kernel/sched/core.c:4081
 schedule+0xc3/0x2b0 kernel/sched/core.c:4155
 __lock_sock+0x129/0x200 net/core/sock.c:2413
 lock_sock_nested+0xda/0x100 net/core/sock.c:2938
 do_syscall_64+0xca/0x5f0 arch/x86/entry/common.c:294
 entry_SYSCALL_64_after_hwframe+0x49/0xbe
RIP: 0033:0x45c449
Code: Bad RIP value.
RSP: 002b:00007f26f3767c78 EFLAGS: 00000246 ORIG_RAX: 000000000000002a
R13: 0000000000000096 R14: 00000000004c2eae R15: 000000000076bf2c
INFO: task syz-executor.1:8010 blocked for more than 143 seconds.
      Not tainted 5.5.0-rc1-syzkaller #0
"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
syz-executor.1  D30024  8010   7960 0x00000004
Call Trace:
 context_switch kernel/sched/core.c:3385 [inline]
 __schedule+0x8a9/0x1970 kernel/sched/core.c:4081
 schedule+0xc3/0x2b0 kernel/sched/core.c:4155

Showing all locks held in the system:
1 lock held by khungtaskd/1110:
 #0: ffffffff88d99140 (rcu_read_lock){....}, at: debug_show_all_locks+0x5b/0x275 kernel/locking/lockdep.c:5334
2 locks held by rsyslogd/7746:
 #0: ffff888098260660 (&f->f_pos_lock){+.+.}, at: __fdget_pos+0xa3/0xc0 fs/file.c:801

=============================================

NMI backtrace for cpu 1
CPU: 1 PID: 1110 Comm: khungtaskd Not tainted 5.5.0-rc1-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011
Call Trace:
 __dump_stack lib/dump_stack.c:77 [inline]
 dump_stack+0x12d/0x187 lib/dump_stack.c:118
 nmi_cpu_backtrace.cold.7+0x4b/0x84 lib/nmi_backtrace.c:101
 watchdog+0x611/0xc50 kernel/hung_task.c:289
 kthread+0x331/0x3f0 kernel/kthread.c:255
 ret_from_fork+0x24/0x30 arch/x86/entry/entry_64.S:352
Sending NMI from CPU 1 to CPUs 0:
NMI backtrace for cpu 0 skipped: idling at native_safe_halt+0x12/0x20 arch/x86/include/asm/irqflags.h:60
"#;

#[test]
fn task_hung() {
    let (_, r) = parsed(TASK_HUNG, 1);
    assert_eq!(
        kinds(&r),
        vec![
            Header, CallTrace, Registers, Code, Registers, Other, CallTrace, Other, Other, Other,
            CallTrace, Other, Other
        ]
    );
    assert!(section(&r, Header, 0)
        .title
        .starts_with("INFO: task syz-executor.1:8008 blocked"));
    assert_eq!(section(&r, CallTrace, 0).frames.len(), 7);
    // The next hung task repeats the header: an `Other` section with its own trace.
    assert!(section(&r, Other, 0)
        .title
        .starts_with("INFO: task syz-executor.1:8010 blocked"));
    assert_eq!(section(&r, CallTrace, 1).frames.len(), 3);
    // `#0: … at: func+0x… file:line` lock lines are not frames.
    let locks = section(&r, Other, 1);
    assert_eq!(locks.title, "Showing all locks held in the system:");
    assert!(locks.frames.is_empty());
    assert_eq!(
        section(&r, Other, 2).title,
        "============================================="
    );
    assert_eq!(section(&r, Other, 3).title, "NMI backtrace for cpu 1");
    assert_eq!(section(&r, CallTrace, 2).frames.len(), 6);
    assert_eq!(
        section(&r, Other, 4).title,
        "Sending NMI from CPU 1 to CPUs 0:"
    );
    // `… skipped: idling at native_safe_halt+0x12/0x20 …` is prose.
    assert!(section(&r, Other, 5)
        .title
        .starts_with("NMI backtrace for cpu 0 skipped"));
    assert!(section(&r, Other, 5).frames.is_empty());
    assert_eq!(r.frames().count(), 16);
}

// Log_102cd7c5900000: possible deadlock in __sock_release (lockdep chain).
const LOCKDEP: &str = r"
======================================================
WARNING: possible circular locking dependency detected
5.9.0-rc1-syzkaller #0 Not tainted
------------------------------------------------------
kworker/0:5/8441 is trying to acquire lock:
ffff88811de48790 (&sb->s_type->i_mutex_key#13){+.+.}-{3:3}, at: inode_lock include/linux/fs.h:779 [inline]
ffff88811de48790 (&sb->s_type->i_mutex_key#13){+.+.}-{3:3}, at: __sock_release+0x28/0xa0 net/socket.c:595

but task is already holding lock:
ffffc90001057e70 ((delayed_fput_work).work){+.+.}-{0:0}, at: process_one_work+0x1de/0x5f0 kernel/workqueue.c:2240

which lock already depends on the new lock.


the existing dependency chain (in reverse order) is:

-> #3 ((delayed_fput_work).work){+.+.}-{0:0}:
       process_one_work+0x23e/0x5f0 kernel/workqueue.c:2245
       worker_thread+0x38/0x380 kernel/workqueue.c:2415
       kthread+0x148/0x170 kernel/kthread.c:292
       ret_from_fork+0x1f/0x30 arch/x86/entry/entry_64.S:294

-> #1 (pernet_ops_rwsem){++++}-{3:3}:
       down_write+0x33/0x70 kernel/locking/rwsem.c:1531
       unregister_netdevice_notifier+0x17/0xb0 net/core/dev.c:1861
       bcm_release+0x30/0x1c0 net/can/bcm.c:1474
       entry_SYSCALL_64_after_hwframe+0x44/0xa9

-> #0 (&sb->s_type->i_mutex_key#13){+.+.}-{3:3}:
       check_prev_add kernel/locking/lockdep.c:2496 [inline]
       __lock_acquire+0x1056/0x16c0 kernel/locking/lockdep.c:4426
       lock_acquire+0xd0/0x3e0 kernel/locking/lockdep.c:5005

other info that might help us debug this:

Chain exists of:
  &sb->s_type->i_mutex_key#13 --> (wq_completion)events --> (delayed_fput_work).work

 Possible unsafe locking scenario:

       CPU0                    CPU1
       ----                    ----
  lock((delayed_fput_work).work);
                               lock((wq_completion)events);
  lock(&sb->s_type->i_mutex_key#13);

 *** DEADLOCK ***

2 locks held by kworker/0:5/8441:
 #0: ffff88812bc55738 ((wq_completion)events){+.+.}-{0:0}, at: process_one_work+0x1de/0x5f0 kernel/workqueue.c:2240

stack backtrace:
CPU: 0 PID: 8441 Comm: kworker/0:5 Not tainted 5.9.0-rc1-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011
Workqueue: events delayed_fput
Call Trace:
 __dump_stack lib/dump_stack.c:77 [inline]
 dump_stack+0xb3/0xec lib/dump_stack.c:118
 check_noncircular+0x165/0x180 kernel/locking/lockdep.c:1827
 __sock_release+0x28/0xa0 net/socket.c:595
";

#[test]
fn lockdep_possible_deadlock_chain() {
    let (_, r) = parsed(LOCKDEP, 1);
    assert_eq!(
        kinds(&r),
        vec![
            Header,
            Other,
            Other,
            Other,
            AuxiliaryStack,
            AuxiliaryStack,
            AuxiliaryStack,
            Other,
            Other,
            CallTrace
        ]
    );
    // The lock lines in the header are `(lock), at: func …`, not frames.
    assert!(section(&r, Header, 0).frames.is_empty());
    let chain: Vec<(&str, usize)> = r
        .sections
        .iter()
        .filter(|s| s.kind == AuxiliaryStack)
        .map(|s| (s.title.as_str(), s.frames.len()))
        .collect();
    assert_eq!(
        chain,
        vec![
            ("-> #3 ((delayed_fput_work).work){+.+.}-{0:0}:", 4),
            ("-> #1 (pernet_ops_rwsem){++++}-{3:3}:", 4),
            ("-> #0 (&sb->s_type->i_mutex_key#13){+.+.}-{3:3}:", 3),
        ]
    );
    // `stack backtrace:` and its `Call Trace:` are one section.
    let bt = section(&r, CallTrace, 0);
    assert_eq!(bt.title, "stack backtrace:");
    assert_eq!(bt.frames.len(), 4);
    assert_eq!(bt.span.last, lines(LOCKDEP).len() as u32);
    // Nothing in the scenario / held-locks part is a frame.
    assert!(r
        .sections
        .iter()
        .filter(|s| s.kind == Other)
        .all(|s| s.frames.is_empty()));
}

// Log_176528c8600000: memory leak in next_bio.
const MEMLEAK: &str = r#"
BUG: memory leak
unreferenced object 0xffff8800a7650a00 (size 256):
  comm "ext4lazyinit", pid 4278, jiffies 4294948591 (age 81.190s)
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 40 94 00 1b 02 88 ff ff  ........@.......
    02 00 00 f0 00 00 00 00 11 02 00 00 00 00 00 00  ................
  backtrace:
    [<ffffffff824be693>] kmemleak_alloc+0x23/0x40 mm/kmemleak.c:913
    [<ffffffff8128dc37>] kmemleak_alloc_recursive include/linux/kmemleak.h:47 [inline]
    [<ffffffff8128dc37>] slab_post_alloc_hook mm/slab.h:406 [inline]
    [<ffffffff8128dc37>] kmem_cache_alloc+0x177/0x270 mm/slab.c:3607
    [<ffffffff81232aa0>] mempool_alloc_slab+0x10/0x20 mm/mempool.c:465
    [<ffffffff81175f74>] kthread+0xc4/0xe0 kernel/kthread.c:209
    [<ffffffff824c469f>] ret_from_fork+0x1f/0x40 arch/x86/entry/entry_64.S:389
    [<ffffffffffffffff>] 0xffffffffffffffff

"#;

#[test]
fn memory_leak_backtrace_with_addresses() {
    let (_, r) = parsed(MEMLEAK, 10);
    assert_eq!(kinds(&r), vec![Header, Memory, CallTrace]);
    assert_eq!(section(&r, Header, 0).title, "BUG: memory leak");
    let obj = section(&r, Memory, 0);
    assert!(obj
        .title
        .starts_with("unreferenced object 0xffff8800a7650a00"));
    assert_eq!((obj.span.first, obj.span.last), (11, 15));
    let bt = section(&r, CallTrace, 0);
    assert_eq!(bt.title, "  backtrace:");
    assert_eq!(
        functions(bt),
        vec![
            "kmemleak_alloc",
            "kmemleak_alloc_recursive",
            "slab_post_alloc_hook",
            "kmem_cache_alloc",
            "mempool_alloc_slab",
            "kthread",
            "ret_from_fork"
        ]
    );
    let f = &bt.frames[1];
    assert_eq!(
        (f.file.as_deref(), f.file_line, f.inline),
        (Some("include/linux/kmemleak.h"), Some(47), true)
    );
    // The trailing `0xffffffffffffffff` pseudo-frame and blank line stay in the trace.
    assert_eq!(bt.span.last, 10 + lines(MEMLEAK).len() as u32 - 1);
}

#[test]
fn timestamp_prefixes_are_skipped() {
    let plain = lines(WARNING_ODEBUG);
    let stamped: Vec<String> = plain
        .iter()
        .enumerate()
        .map(|(i, l)| format!("[  {:3}.{:06}][ T{}] {l}", 52 + i, 355_138 + i, 23313))
        .collect();
    let a = parse(&plain, 1);
    let b = parse(&stamped, 1);
    assert_covers(&b, stamped.len(), 1);
    assert_eq!(kinds(&a), kinds(&b));
    let fa: Vec<_> = a.frames().collect();
    let fb: Vec<_> = b.frames().collect();
    assert_eq!(fa, fb);
    // Titles stay verbatim.
    assert!(section(&b, CallTrace, 0).title.starts_with("[  "));
    assert!(section(&b, CallTrace, 0).title.ends_with("] Call Trace:"));

    // Console-context variant `[    C1]` and no context at all.
    let mixed = vec![
        "[   10.000001][    C1] general protection fault: 0000 [#1] PREEMPT SMP KASAN".to_string(),
        "[   10.000002] Call Trace:".to_string(),
        "[   10.000003][    C1]  <IRQ>".to_string(),
        "[   10.000004][    C1]  ? do_syscall_64+0x2d/0x70 arch/x86/entry/common.c:46".to_string(),
        "[   10.000005][    C1]  ret_from_fork+0x1f/0x30 arch/x86/entry/entry_64.S:296".to_string(),
    ];
    let r = parse(&mixed, 1);
    assert_covers(&r, mixed.len(), 1);
    assert_eq!(kinds(&r), vec![Header, CallTrace]);
    assert_eq!(
        functions(section(&r, CallTrace, 0)),
        vec!["do_syscall_64", "ret_from_fork"]
    );
    assert!(r.frames().next().unwrap().unreliable);
}

// Log_10110920500000: a commit message quoting a null_blk KASAN report; the
// `nft_do_chain … [nf_tables]` line (file and module) is added.
const MODULE_FRAMES: &str = r"
BUG: KASAN: use-after-free in nullb_device_submit_queues_store+0xcf/0x160 [null_blk]
Read of size 8 at addr ffff88803280fc30 by task check/8409

Call Trace:
 dump_stack+0xa5/0xe6
 print_address_description.constprop.0+0x26/0x260
 __kasan_report.cold+0x7b/0x99
 nullb_device_submit_queues_store+0xcf/0x160 [null_blk]
 configfs_write_file+0x1c4/0x250 [configfs]
 __vfs_write+0x4c/0x90
 nft_do_chain+0x2a1/0x1460 net/netfilter/nf_tables_core.c:123 [nf_tables]
 entry_SYSCALL_64_after_hwframe+0x49/0xbe
RIP: 0033:0x7ff370926317
";

#[test]
fn module_frames() {
    let (_, r) = parsed(MODULE_FRAMES, 1);
    assert_eq!(kinds(&r), vec![Header, CallTrace, Registers]);
    let nullb = frame(&r, "nullb_device_submit_queues_store");
    assert_eq!(nullb.module.as_deref(), Some("null_blk"));
    assert_eq!(
        (nullb.offset.as_deref(), nullb.size.as_deref()),
        (Some("0xcf"), Some("0x160"))
    );
    assert_eq!(nullb.file, None);
    assert!(!nullb.inline);
    assert_eq!(
        frame(&r, "configfs_write_file").module.as_deref(),
        Some("configfs")
    );
    let nft = frame(&r, "nft_do_chain");
    assert_eq!(nft.module.as_deref(), Some("nf_tables"));
    assert_eq!(
        (nft.file.as_deref(), nft.file_line),
        (Some("net/netfilter/nf_tables_core.c"), Some(123))
    );
    assert_eq!(frame(&r, "dump_stack").module, None);
    assert_eq!(
        frame(&r, "print_address_description.constprop.0")
            .size
            .as_deref(),
        Some("0x260")
    );
    assert_eq!(r.frames().count(), 8);
}

// Log_12212476e00000: a commit message quoting a tcf_classify oops, plus Log_1044c6b4e00000's
// `? 0xffffffff81000000`.
const UNRELIABLE: &str = r"
BUG: unable to handle kernel NULL pointer dereference at 0000000000000000
Call Trace:
 ? 0xffffffff81000000
 tcf_classify+0x58/0x120
 __dev_queue_xmit+0x40a/0x890
 ? ndisc_next_option+0x50/0x50
 ? ___neigh_create+0x4d5/0x680
 ? ip6_finish_output2+0x1b5/0x590
 ip6_finish_output2+0x1b5/0x590
 ? do_syscall_64+0x2d/0x70 arch/x86/entry/common.c:46
 [<ffffffff81234567>] ? old_style+0x1/0x2
";

#[test]
fn unreliable_frames() {
    let (_, r) = parsed(UNRELIABLE, 1);
    assert_eq!(kinds(&r), vec![Header, CallTrace]);
    let trace = section(&r, CallTrace, 0);
    let got: Vec<(&str, bool)> = trace
        .frames
        .iter()
        .map(|f| (f.function.as_str(), f.unreliable))
        .collect();
    assert_eq!(
        got,
        vec![
            ("tcf_classify", false),
            ("__dev_queue_xmit", false),
            ("ndisc_next_option", true),
            ("___neigh_create", true),
            ("ip6_finish_output2", true),
            ("ip6_finish_output2", false),
            ("do_syscall_64", true),
            ("old_style", true),
        ]
    );
    let d = frame(&r, "do_syscall_64");
    assert_eq!(
        (d.file.as_deref(), d.file_line),
        (Some("arch/x86/entry/common.c"), Some(46))
    );
    // `? 0xffffffff81000000` (line 3) stays in the trace without being a frame.
    assert_eq!(trace.frames[0].line, 4);
}

// Log_10b30e6ab00000: rcu stall with <IRQ>, a register dump in the middle of
// the trace and a disassembly.
const RCU_STALL: &str = "
rcu: INFO: rcu_preempt self-detected stall on CPU
rcu: \t1-....: (10499 ticks this GP) idle=747/1/0x4000000000000000 softirq=14573/14573 fqs=4993 
\t(t=10500 jiffies g=12301 q=218361)
NMI backtrace for cpu 1
CPU: 1 PID: 12482 Comm: syz-executor.2 Not tainted 5.15.0-rc4-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011
Call Trace:
 <IRQ>
 __dump_stack lib/dump_stack.c:88 [inline]
 dump_stack_lvl+0x57/0x7d lib/dump_stack.c:106
 sysvec_apic_timer_interrupt+0x8e/0xc0 arch/x86/kernel/apic/apic.c:1097
 </IRQ>
 asm_sysvec_apic_timer_interrupt+0x12/0x20 arch/x86/include/asm/idtentry.h:638
RIP: 0010:__raw_spin_unlock_irqrestore include/linux/spinlock_api_smp.h:161 [inline]
RIP: 0010:_raw_spin_unlock_irqrestore+0x38/0x70 kernel/locking/spinlock.c:194
Code: 74 24 10 e8 5a 47 18 f9 48 89 ef e8 a2 bd 18 f9 81 e3 00 02 00 00 75 25 9c 58 f6 c4 02 75 2d 48 85 db 74 01 fb bf 01 00 00 00 <e8> 53 a1 0b f9 65 8b 05 5c
RSP: 0018:ffffc9000d837a88 EFLAGS: 00000206
R13: 0000000000000000 R14: ffff8880489b5d00 R15: ffff888058ad2488
 spin_unlock_irqrestore include/linux/spinlock.h:418 [inline]
 snd_seq_cell_alloc.constprop.0+0x2ab/0x560 sound/core/seq/seq_memory.c:271
 entry_SYSCALL_64_after_hwframe+0x44/0xae
RIP: 0033:0x7fae27d76ae9
R13: 00007ffceeb24baf R14: 00007fae274cb300 R15: 0000000000022000
----------------
Code disassembly (best guess):
   0:\t74 24                \tje     0x26
   2:\t10 e8                \tadc    %ch,%al
* 2a:\te8 53 a1 0b f9       \tcallq  0xf90ba182 <-- trapping instruction
";

#[test]
fn rcu_stall_frames_after_registers() {
    let (_, r) = parsed(RCU_STALL, 1);
    assert_eq!(
        kinds(&r),
        vec![
            Header, Other, CallTrace, Registers, Code, Registers, CallTrace, Registers, Other, Code
        ]
    );
    assert_eq!(
        (
            section(&r, Header, 0).span.first,
            section(&r, Header, 0).span.last
        ),
        (1, 3)
    );
    assert_eq!(
        functions(section(&r, CallTrace, 0)),
        vec![
            "__dump_stack",
            "dump_stack_lvl",
            "sysvec_apic_timer_interrupt",
            "asm_sysvec_apic_timer_interrupt"
        ]
    );
    assert_eq!(
        functions(section(&r, Registers, 0)),
        vec![
            "__raw_spin_unlock_irqrestore",
            "_raw_spin_unlock_irqrestore"
        ]
    );
    assert!(section(&r, Registers, 0).frames[0].inline);
    // Frames after a register dump continue the interrupted task's stack.
    let rest = section(&r, CallTrace, 1);
    assert_eq!(
        rest.title,
        " spin_unlock_irqrestore include/linux/spinlock.h:418 [inline]"
    );
    assert_eq!(rest.frames.len(), 3);
    let disasm = section(&r, Code, 1);
    assert_eq!(disasm.title, "Code disassembly (best guess):");
    assert_eq!(disasm.span.last, lines(RCU_STALL).len() as u32);
    assert!(disasm.frames.is_empty());
}

// Log_10dbe682a00000: a commit message quoting an arm64 oops.
const ARM64: &str = r#"
Unable to handle kernel paging request at virtual address dfff20000000021d
pc : tipc_sk_create+0x374/0x1180 [tipc]
lr : tipc_sk_create+0x374/0x1180 [tipc]
sp : ffff80001234bd30
x29: ffff80001234bd30 x28: 0000000000000000
Call trace:
 tipc_sk_create+0x374/0x1180 [tipc]
 __sock_create+0x1cc/0x408
 __sys_socket+0xec/0x1f0
 __arm64_sys_socket+0x74/0xa8
"#;

#[test]
fn arm64_registers_and_call_trace() {
    let (_, r) = parsed(ARM64, 1);
    assert_eq!(kinds(&r), vec![Header, Registers, CallTrace]);
    let regs = section(&r, Registers, 0);
    assert_eq!(regs.frames.len(), 2);
    assert_eq!(regs.frames[0].function, "tipc_sk_create");
    assert_eq!(regs.frames[0].module.as_deref(), Some("tipc"));
    assert_eq!(section(&r, CallTrace, 0).frames.len(), 4);
}

// KCSAN / KMSAN reports are not in the corpus; these follow the kernel's
// report format (kernel/kcsan/report.c, mm/kmsan/report.c).
const KCSAN: &str = r"
==================================================================
BUG: KCSAN: data-race in generic_fillattr / shmem_mknod

write to 0xffff888106b42e08 of 8 bytes by task 3210 on cpu 1:
 shmem_mknod+0x102/0x170 mm/shmem.c:2935
 vfs_create+0x1a2/0x260 fs/namei.c:3115
 do_sys_open+0x1e4/0x330 fs/open.c:1272

read to 0xffff888106b42e08 of 8 bytes by task 3211 on cpu 0:
 generic_fillattr+0xb9/0x200 fs/stat.c:60
 vfs_getattr_nosec+0x1a7/0x1c0 fs/stat.c:133

value changed: 0x000000003a85b4ea -> 0x000000003a85b4eb

Reported by Kernel Concurrency Sanitizer on:
CPU: 0 PID: 3211 Comm: syz-executor.2 Not tainted 5.16.0-rc1-syzkaller #0
==================================================================
";

#[test]
fn kcsan_access_stacks() {
    let (_, r) = parsed(KCSAN, 1);
    assert_eq!(kinds(&r), vec![Header, CallTrace, CallTrace, Other, Other]);
    assert!(section(&r, CallTrace, 0)
        .title
        .starts_with("write to 0xffff888106b42e08"));
    assert_eq!(
        functions(section(&r, CallTrace, 0)),
        vec!["shmem_mknod", "vfs_create", "do_sys_open"]
    );
    assert_eq!(section(&r, CallTrace, 1).frames.len(), 2);
    assert_eq!(
        section(&r, Other, 0).title,
        "value changed: 0x000000003a85b4ea -> 0x000000003a85b4eb"
    );
    // The closing banner is its own section, as after KASAN reports.
    assert!(section(&r, Other, 1).title.starts_with("====="));
}

const KMSAN: &str = r"
=====================================================
BUG: KMSAN: uninit-value in __skb_checksum_complete+0x2e1/0x560 net/core/skbuff.c:2854
 __skb_checksum_complete+0x2e1/0x560 net/core/skbuff.c:2854
 nf_ip_checksum+0x5a3/0x6e0 net/netfilter/utils.c:37

Uninit was stored to memory at:
 kmsan_internal_chain_origin+0xad/0x130 mm/kmsan/kmsan.c:289
 __msan_chain_origin+0x50/0x90 mm/kmsan/instrumentation.c:164

Uninit was created at:
 kmsan_save_stack_with_flags mm/kmsan/kmsan.c:121 [inline]
 __kmalloc_node_track_caller+0xb55/0x1320 mm/slub.c:4653

Bytes 0-3 of 4 are uninitialized
CPU: 0 PID: 3534 Comm: syz-executor.0 Not tainted 5.8.0-rc5-syzkaller #0
=====================================================
";

#[test]
fn kmsan_uninit_stacks() {
    let (_, r) = parsed(KMSAN, 1);
    assert_eq!(
        kinds(&r),
        vec![
            Header,
            CallTrace,
            AuxiliaryStack,
            AuxiliaryStack,
            Other,
            Other
        ]
    );
    // Frames right after the header open a call trace named by its first frame.
    let trace = section(&r, CallTrace, 0);
    assert_eq!(
        trace.title,
        " __skb_checksum_complete+0x2e1/0x560 net/core/skbuff.c:2854"
    );
    assert_eq!(trace.frames.len(), 2);
    assert_eq!(
        section(&r, AuxiliaryStack, 0).title,
        "Uninit was stored to memory at:"
    );
    assert_eq!(
        section(&r, AuxiliaryStack, 1).title,
        "Uninit was created at:"
    );
    assert_eq!(section(&r, AuxiliaryStack, 1).frames.len(), 2);
    assert_eq!(
        section(&r, Other, 0).title,
        "Bytes 0-3 of 4 are uninitialized"
    );
}

#[test]
fn empty_input() {
    let r = parse(&[], 7);
    assert!(r.sections.is_empty());
    assert_eq!(r.frames().count(), 0);
}

#[test]
fn only_blank_or_noise_is_a_preamble() {
    let (_, r) = parsed("\n\n", 3);
    assert_eq!(kinds(&r), vec![Preamble]);
    let (_, r) = parsed(
        "
2021/02/26 01:41:21 result: hanged=false err=executor 4: failed to write control pipe: write |1: broken pipe
loop exited with status 67
",
        3,
    );
    assert_eq!(kinds(&r), vec![Preamble]);
    assert_eq!(r.frames().count(), 0);
}

#[test]
fn prose_lines_are_not_frames() {
    let (_, r) = parsed(
        "
WARNING: CPU: 0 PID: 23313 at lib/debugobjects.c:505 debug_print_object+0x16e/0x250 lib/debugobjects.c:505
Modules linked in: nf_tables configfs
CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.11.0-rc2-syzkaller #0
Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011
Workqueue: netns cleanup_net
 which belongs to the cache kmalloc-64 of size 64
       CPU0                    CPU1
  lock(&sb->s_type->i_mutex_key#13);
 see include/linux/slab.h
 foo bar.c
 Read of size 8 at addr ffff88803280fc30 by task check/8409
 0xffffffff81000000+0x1/0x2 mm/slub.c:1
 foo+0xzz/0x10 mm/slub.c:1
 foo+0x10/0x20 mm/slub.c:1 something
 foo..bar+0x1/0x2
",
        1,
    );
    assert_eq!(r.frames().count(), 0, "{r:#?}");
}

#[test]
fn garbage_lines_do_not_panic() {
    let long = "x".repeat(200_000);
    let long_frame = format!(" {}+0x1/0x2 {}", "a".repeat(100_000), "b/".repeat(50_000));
    let input: Vec<String> = vec![
        "\r".into(),
        "[".into(),
        "[<".into(),
        "[<ffff".into(),
        "[<>] +0x".into(),
        " +0x1/0x2".into(),
        " ?".into(),
        " ? ".into(),
        "\u{0}\u{1}\u{7f}BUG:\u{fffd}\u{fffd}".into(),
        "BUG: \u{fffd}\r".into(),
        " f+0x\u{e9}/0x1 a/b.c:1".into(),
        " é+0x1/0x2 a/b.c:1".into(),
        "RIP: 0010:".into(),
        "RIP: 00".into(),
        "pc : ".into(),
        "x9 :".into(),
        "[  1.2][ T".into(),
        "[  1.2][ T1]".into(),
        "[ 99999999999999999999.0] foo+0x1/0x2 a/b.c:99999999999999999999".into(),
        "Call Trace:".into(),
        " foo+0x1/0x2 a/b.c:99999999999999999999".into(),
        " foo+0x1/0x2 a/b.c:".into(),
        "-> #".into(),
        "Code: ".into(),
        long.clone(),
        long_frame,
        format!("Call Trace:{long}"),
        "\t\t\t".into(),
        "=========".into(),
        "==========".into(),
        "2022/10/28 07:55:5".into(),
        "2022/10/28 07:55:56 SYZFAIL".into(),
    ];
    let r = parse(&input, u32::MAX - 10);
    // Line numbers saturate instead of overflowing.
    assert!(r.sections.iter().all(|s| s.span.first <= s.span.last));
    let r = parse(&input, 1);
    assert_covers(&r, input.len(), 1);
    let f = frame(&r, "foo");
    assert_eq!(f.file.as_deref(), Some("a/b.c"));
    assert_eq!(f.file_line, None, "line number too large for u32");

    // Every prefix of a real report also parses.
    let real = lines(KASAN_UAF);
    for n in 0..real.len() {
        let r = parse(&real[n..], 1);
        assert_covers(&r, real.len() - n, 1);
    }
}

#[test]
fn crlf_lines() {
    let crlf: Vec<String> = lines(WARNING_ODEBUG)
        .into_iter()
        .map(|l| format!("{l}\r"))
        .collect();
    let r = parse(&crlf, 1);
    assert_covers(&r, crlf.len(), 1);
    assert_eq!(kinds(&r), kinds(&parse(&lines(WARNING_ODEBUG), 1)));
    assert_eq!(
        frame(&r, "ret_from_fork").file.as_deref(),
        Some("arch/x86/entry/entry_64.S")
    );
}

// ---------------------------------------------------------------------------
// Corpus

fn corpus_dirs() -> Vec<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    ["syzbot", "seeds"]
        .iter()
        .map(|d| shared.join(d))
        .filter(|d| d.is_dir())
        .collect()
}

/// The lines after `crash: <title>`, or None for logs without a crash.
fn crash_report(text: &str) -> Option<(u32, Vec<String>)> {
    let mut all: Vec<&str> = text.split('\n').collect();
    if all.last() == Some(&"") {
        all.pop();
    }
    let pos = all.iter().position(|l| l.starts_with("crash: "))?;
    // 1-based number of the first report line.
    let first = pos as u32 + 2;
    Some((
        first,
        all[pos + 1..].iter().map(|s| s.to_string()).collect(),
    ))
}

#[test]
fn corpus_reports() {
    let dirs = corpus_dirs();
    if dirs.is_empty() {
        eprintln!(
            "corpus not found next to the workspace (../../../shared/corpus/syzbot); skipping"
        );
        return;
    }
    let mut reports = Vec::new();
    for dir in &dirs {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            if let Some((first, lines)) = crash_report(&text) {
                reports.push((p, first, lines));
            }
        }
    }

    let mut elapsed = Duration::ZERO;
    let mut slowest = (Duration::ZERO, PathBuf::new());
    let (mut lines_total, mut frames, mut inline, mut unreliable, mut with_module, mut with_file) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    let (mut with_call_trace, mut with_call_trace_ok) = (0usize, 0usize);
    let mut by_kind: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    let mut failures = Vec::new();
    for (path, first, lines) in &reports {
        let t = Instant::now();
        let r = parse(lines, *first);
        let dt = t.elapsed();
        elapsed += dt;
        if dt > slowest.0 {
            slowest = (dt, path.clone());
        }
        assert_covers(&r, lines.len(), *first);
        lines_total += lines.len();
        for s in &r.sections {
            let e = by_kind.entry(format!("{:?}", s.kind)).or_default();
            e.0 += 1;
            e.1 += s.frames.len();
        }
        for f in r.frames() {
            frames += 1;
            inline += usize::from(f.inline);
            unreliable += usize::from(f.unreliable);
            with_module += usize::from(f.module.is_some());
            with_file += usize::from(f.file.is_some());
            assert!(!f.function.is_empty());
            let text = &lines[(f.line - first) as usize];
            assert!(
                text.contains(&f.function),
                "{}:{}: {f:?} not in {text:?}",
                path.display(),
                f.line
            );
        }
        if lines.iter().any(|l| l.contains("Call Trace:")) {
            with_call_trace += 1;
            if r.frames().count() >= 3 {
                with_call_trace_ok += 1;
            } else {
                failures.push(path.file_name().unwrap().to_string_lossy().to_string());
            }
        }
    }

    let pct = 100.0 * with_call_trace_ok as f64 / with_call_trace.max(1) as f64;
    eprintln!(
        "corpus: {} reports, {} lines parsed in {:?} (slowest {:?} {})",
        reports.len(),
        lines_total,
        elapsed,
        slowest.0,
        slowest.1.file_name().unwrap_or_default().to_string_lossy()
    );
    eprintln!(
        "frames: {frames} ({inline} inline, {unreliable} unreliable, {with_module} in modules, {with_file} with file)"
    );
    eprintln!(
        "reports with `Call Trace:`: {with_call_trace}, with >= 3 frames: {with_call_trace_ok} ({pct:.1}%); \
         fewer: {failures:?}"
    );
    for (kind, (n, f)) in &by_kind {
        eprintln!("  {kind:<15} {n:>6} sections {f:>7} frames");
    }
    assert!(!reports.is_empty());
    assert!(
        pct >= 95.0,
        "only {pct:.1}% of reports with a call trace have >= 3 frames"
    );
}
