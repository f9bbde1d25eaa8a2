# SPDX-License-Identifier: MIT
"""Keel's virtual switch and the PV network interface (issue 10, parts 3 and 4):
netsvc (a PV guest answering ARP, ping and UDP echo) and netcli (a PV client)
on one switch, in VMs (Bochs) and deprivileged in ring 3 (QEMU TCG)."""
import re

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs, run_qemu

NET = ('guest name=netsvc type=pv image=netsvc.elf memory=4M net=sw0 args="10.0.0.1 quit"\n'
       'guest name=netcli type=pv image=netcli.elf memory=4M net=sw0 '
       'mac=02:00:00:00:00:02 args="10.0.0.2 10.0.0.1"\n'
       # Not on sw0: must see nothing of it.
       'guest name=other type=pv image=netsvc.elf memory=4M net=sw1 args="10.0.0.1"\n'
       'guest name=nonet type=pv image=netsvc.elf memory=4M args="10.0.0.3"\n')
FILES = [guest("netsvc.elf"), guest("netcli.elf")]


def check_net(log):
    svc_mac = re.search(r"net: netsvc on switch sw0 as (02(?::[0-9a-f]{2}){5})", log)
    assert svc_mac, log
    assert "net: netcli on switch sw0 as 02:00:00:00:00:02" in log  # mac= from the config
    assert "net: other on switch sw1 as " in log
    svc, cli = guest_lines(log, "netsvc"), guest_lines(log, "netcli")
    assert (f"netsvc: 10.0.0.1 at {svc_mac.group(1)} on switch sw0: ARP, ping, UDP echo on "
            "port 7, DNS, TCP echo on port 7") in svc, log
    assert "netcli: 10.0.0.2 on switch sw0, service 10.0.0.1" in cli, log
    assert f"netcli: ARP: service at {svc_mac.group(1)}" in cli, log
    for seq in range(1, 6):
        assert f"netcli: echo reply from 10.0.0.1: seq={seq}" in cli, log
    assert "netcli: UDP echo: hello through Keel's switch" in cli
    assert "netcli: DNS: keel.test is 10.0.0.1" in cli
    # TCP echo on port 7: a connection, a line and back, both FINs; port 9 refuses.
    assert "netcli: TCP echo: a line through netsvc's TCP" in cli, log
    assert "netcli: TCP to port 9: RST" in cli, log
    # Keel refuses a forged source and bad lengths; a short buffer loses nothing.
    assert "netcli: send with the service's source address = -22" in cli
    assert "netcli: send of 13 bytes = -22" in cli
    assert "netcli: send of 1515 bytes = -22" in cli
    assert "netcli: receive into a 10-byte buffer = -28" in cli
    assert "netcli: then into a large one = 42" in cli
    assert "netcli: burst of 24 UDP echoes: 24 came back" in cli
    assert "netcli: batched burst of 24 UDP echoes (sent 24 in one call): 24 came back" in cli
    assert "netcli: done" in cli
    assert "keel: guest 'netcli' stopped: shut down: status 0" in log
    answered = re.search(r"netsvc: answered (\d+) ARP, (\d+) echo, (\d+) UDP, 1 DNS; frames in "
                         r"(\d+), dropped (\d+), out (\d+)", "\n".join(svc))
    assert answered, log
    arp, echo, udp = (int(answered.group(i)) for i in (1, 2, 3))
    assert arp >= 1 and echo == 5 + 1 + 21 and udp == 1 + 24 + 24 + 1, answered.group(0)
    assert ("netsvc: TCP: 1 connections, 0 refused, 1 resets sent, 0 retransmissions, "
            "0 segments dropped") in svc, log
    assert "keel: guest 'netsvc' stopped: shut down: status 0" in log
    # The guest without net= is told so; the one on sw1 heard nothing: it waited
    # until Keel stopped it with nothing left to wake it.
    assert ("netsvc: no network interface (-2): give it net= in keel.cfg"
            in guest_lines(log, "nonet")), log
    assert "keel: guest 'other' stopped: blocked with nothing left to wake it" in log
    return log


def test_pv_guests_talk_through_the_switch_in_vms(tmp_path):
    log = keel_part(run_bochs(make_esp(tmp_path, NET, FILES),
                              timeout=600))
    check_net(log)
    bench = re.search(r"BENCH pvnet ping min (\d+) median (\d+)", log)
    assert bench and 0 < int(bench.group(1)) <= int(bench.group(2)), log
    print(re.findall(r"BENCH pvnet.*", log))


def test_pv_guests_talk_through_the_switch_deprivileged(tmp_path):
    log = keel_part(run_qemu(make_esp(tmp_path, NET, FILES), timeout=180))
    assert "keel: guest 'netsvc' (pv in ring 3, no VT-x" in log, log
    check_net(log)


LINUX_STATS = r"keel: guest 'linux': (\d+) exits, (\d+) host ticks handling them"


def test_linux_virtio_net_reaches_the_pv_service(tmp_path):
    """Debian's Linux (the hvm test disk, virtio_net loaded by its init) finds a
    virtio NIC as eth0 on sw0, pings netsvc, asks it a DNS question (a UDP
    exchange busybox can make) and sends it a line over TCP (busybox nc to the
    echo port 7, and to closed port 9). netsvc then times its own pings of Linux
    and a 32-request burst, Ctrl-A s around it counting Linux's exits. Minutes in
    Bochs."""
    from keel import BUILD, SEABIOS_PATH, run_bochs_console
    cfg = ('guest name=netsvc type=pv image=netsvc.elf memory=4M net=sw0 args="10.0.0.1"\n'
           "guest name=linux type=hvm image=linux-disk.img memory=192M net=sw0\n")
    esp = make_esp(tmp_path, cfg, [guest("netsvc.elf"), BUILD / "linux-disk.img",
                                   SEABIOS_PATH], cylinders=100)
    log = run_bochs_console(esp, [
        (r"keel-linux# ", "ip link set eth0 up && ip addr add 10.0.0.2/24 dev eth0 && "
                          "ip -o link show eth0; grep -c virtio /proc/interrupts; "
                          "ping -c 3 10.0.0.1; echo ping-$((2+3))done\n"),
        (r"ping-5done", "nslookup keel.test 10.0.0.1; echo dns-$((2+3))done\n"),
        # TCP echo on port 7: busybox nc sends the line, shuts its side at stdin's end
        # and prints what came back until netsvc's FIN; then 6000 bytes, three times
        # netsvc's window, counted back; port 9 is refused with RST.
        (r"dns-5done", "echo tcp-echo-$((6*7)) | timeout 60 nc 10.0.0.1 7; "
                       "head -c $((3*2000)) /dev/zero | tr '\\0' k | timeout 120 nc 10.0.0.1 7 "
                       "| wc -c; nc 10.0.0.1 9 </dev/null; echo tcp-$((2+3))done\n"),
        (r"tcp-5done", "\x01s"),
        # netsvc answers first, then measures: Ctrl-A s once its BENCH line is out.
        (LINUX_STATS, "nslookup bench.keel 10.0.0.1 >/dev/null; echo bench-$((2+3))done\n"),
        (r"BENCH net ping to", "\x01s"),
        (r"(?s)BENCH net ping to.*" + LINUX_STATS, "nslookup burst.keel 10.0.0.1 >/dev/null; "
                                                    "echo burst-$((2+3))done\n"),
        (r"BENCH net burst", "\x01s"),
        (r"(?s)BENCH net burst.*" + LINUX_STATS, "exit\n"),
    ], megs=512, timeout=2400)
    keel = keel_part(log)
    assert "[linux] keel-linux: init started" in keel, log[-3000:]
    mac = re.search(r"net: linux on switch sw0 as (02(?::[0-9a-f]{2}){5})", keel)
    assert mac, keel[-3000:]
    # eth0 is the virtio NIC, with the address Keel derived from the guest's name.
    assert re.search(rf"\[linux\] \d+: eth0: <[^>]*UP[^>]*>.* link/ether {mac.group(1)}", keel), \
        keel[-3000:]
    assert re.search(r"virtio_net virtio\d+ eth0", keel) or "eth0" in keel
    assert re.search(r"^\[linux\] 3 packets transmitted, 3 packets received, 0% packet loss",
                     keel, re.M), keel[-3000:]
    assert re.search(r"^\[linux\] Name:\s+keel\.test$", keel, re.M), keel[-3000:]
    assert re.search(r"^\[linux\] Address:?\s+10\.0\.0\.1$", keel, re.M), keel[-3000:]
    assert re.search(r"^\[linux\] tcp-echo-42$", keel, re.M), keel[-3000:]
    assert re.search(r"^\[linux\] 6000$", keel, re.M), keel[-3000:]
    assert re.search(r"^\[linux\] nc: can't connect to remote host \(10\.0\.0\.1\): "
                     r"Connection refused$", keel, re.M), keel[-3000:]
    ping = re.search(r"BENCH net ping to (\S+) min (\d+) median (\d+)", keel)
    assert ping and ping.group(1) == mac.group(1), keel[-3000:]
    burst = re.search(r"BENCH net burst 32 echo requests \(32 in one call\), (\d+) replies, "
                      r"(\d+) ticks", keel)
    assert burst and int(burst.group(1)) == 32, keel[-3000:]
    assert "keel: guest 'linux' stopped: powered itself off (ACPI S5)" in keel
    assert "DEVICE_NEEDS_RESET" not in keel
    # The NIC's counters under each Ctrl-A s: the burst's frames per doorbell exit and per
    # interrupt (the DNS question and answer that start it included).
    nic = [tuple(map(int, m)) for m in re.findall(
        r"keel:   virtio-net: (\d+) doorbells, (\d+) interrupts; (\d+) frames sent, (\d+) "
        r"received, 0 bad, 0 too big", keel)]
    assert len(nic) >= 3, keel[-3000:]
    bells, irqs, sent, got = (nic[2][i] - nic[1][i] for i in range(4))
    assert sent >= 33 and got >= 33, nic
    print("NIC counters:", nic)
    assert re.search(r"keel:   net sw0: \d+ frames out, \d+ in, 0 dropped \(queue full\), 0 "
                     r"refused", keel), keel[-3000:]
    print(f"BENCH linux ping median {ping.group(3)} ticks; burst: {sent} frames sent, {got} "
          f"received, {bells} doorbells, {irqs} interrupts: "
          f"{(sent + got) / max(bells + irqs, 1):.2f} frames per doorbell or interrupt; "
          f"{burst.group(2)} ticks")
