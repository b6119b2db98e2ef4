"""What every lab of network namespaces does, whatever its topology: namespaces created
(loopback up, no duplicate address detection) and deleted, veth pairs between them,
commands run inside one, long-running processes inside one (their pid and log in the
lab's `state` directory), waits for a condition. lab.py (the PLAT tests' three boxes) and
lab464.py (the 464XLAT lab and the CLAT tests) each add their own topology.
"""
import os
import shlex
import signal
import subprocess
import time


def sh(cmd, check=True, timeout=60, capture=True):
    r = subprocess.run(cmd, shell=True, text=True, timeout=timeout,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.STDOUT if capture else None)
    if check and r.returncode != 0:
        raise RuntimeError(f"command failed ({r.returncode}): {cmd}\n{r.stdout}")
    return r


class NamespaceLab:
    def __init__(self, *namespaces):
        self.namespaces = namespaces

    def ex(self, ns, cmd, **kw):
        """Runs the shell command `cmd` inside `ns` (all of it: pipes and && too)."""
        return sh(f"ip netns exec {ns} sh -c {shlex.quote(cmd)}", **kw)

    def add_namespaces(self):
        """Creates the lab's namespaces afresh (a previous run's are deleted first)."""
        self.delete_namespaces()
        for ns in self.namespaces:
            sh(f"ip netns add {ns}")
            self.ex(ns, "ip link set lo up")
            # No duplicate address detection: a tentative address holds neighbour
            # discovery, and so the first packets, for about two seconds.
            self.ex(ns, "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0")

    def delete_namespaces(self):
        for ns in self.namespaces:
            sh(f"ip netns del {ns}", check=False)

    @staticmethod
    def veth(name_a, ns_a, name_b, ns_b):
        sh(f"ip link add {name_a} netns {ns_a} type veth peer name {name_b} netns {ns_b}")

    @staticmethod
    def wait_for(what, fn, timeout=15.0):
        """Polls fn until it is true; raises, naming `what`, after `timeout` seconds."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if fn():
                return True
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {what}")

    # Long-running processes: a lab that uses these sets self.state (a directory).
    def spawn(self, ns, name, argv, append=False):
        """A long-running process in `ns`, detached, its pid in STATE/NAME.pid and its
        output in STATE/NAME.log (appended to with `append`, for a restart)."""
        log = open(os.path.join(self.state, f"{name}.log"), "a" if append else "w")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        with open(os.path.join(self.state, f"{name}.pid"), "w") as f:
            f.write(f"{p.pid}\n")
        return p

    def kill(self, name, sig=signal.SIGTERM, timeout=10):
        """Stops the process STATE/NAME.pid names (ours or one a previous run left);
        its exit status when it was our child."""
        path = os.path.join(self.state, f"{name}.pid")
        try:
            pid = int(open(path).read())
        except (OSError, ValueError):
            return None
        status = None
        try:
            os.kill(pid, sig)
            deadline = time.time() + timeout
            while time.time() < deadline:
                try:
                    done, st = os.waitpid(pid, os.WNOHANG)
                    if done == pid:
                        status = os.waitstatus_to_exitcode(st)
                        break
                except ChildProcessError:  # not our child: poll for it to vanish
                    os.kill(pid, 0)
                time.sleep(0.05)
            else:
                os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.unlink(path)
        return status
