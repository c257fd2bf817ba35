package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// execEnv, when set to 1 in a process's environment, makes the test binary
// run the command line on its arguments instead of the tests: tests that
// need real processes (killed with SIGKILL, or run in network namespaces)
// re-execute it as `caravan`.
const execEnv = "CARAVAN_TEST_EXEC"

func TestMain(m *testing.M) {
	if os.Getenv(execEnv) == "1" {
		os.Exit(Execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr, noDesktop))
	}
	os.Exit(m.Run())
}

// proc is a caravan command running as a process of its own.
type proc struct {
	cmd       *exec.Cmd
	out, errb syncBuffer
	done      chan struct{} // closed when the process has exited
	err       error         // Wait's result, once done
}

// startProc starts `caravan args...` as a process, prefixed by wrap (for
// example `ip netns exec NS`), and kills it when the test ends if it still
// runs.
func startProc(t *testing.T, wrap []string, args ...string) *proc {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(append([]string{}, wrap...), self), args...)
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), execEnv+"=1")
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errb
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start caravan %v: %v", args, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("caravan %v stderr (last 4 KB):\n%s", args, tail(p.errb.String(), 4096))
		}
	})
	return p
}

// kill sends SIGKILL and waits for the process to end.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to end with SIGTERM and reports how it exited.
func (p *proc) stop(t *testing.T) error {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(30 * time.Second):
		t.Errorf("caravan did not stop within 30 s of SIGTERM")
		p.kill()
		return p.err
	}
}

// nodeAddrs waits for a `caravan node --json` process to print its peer ID
// and addresses.
func (p *proc) nodeAddrs(t *testing.T) (string, []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st struct {
			PeerID string   `json:"peer_id"`
			Addrs  []string `json:"addrs"`
		}
		if json.Unmarshal([]byte(p.out.String()), &st) == nil && len(st.Addrs) > 0 {
			return st.PeerID, st.Addrs
		}
		select {
		case <-p.done:
			t.Fatalf("node exited (%v) before printing its addresses: %s", p.err, tail(p.errb.String(), 4096))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("node did not print its addresses: %s", tail(p.errb.String(), 4096))
		}
	}
}

// tcpAddr is the first address of addrs over TCP on the given IPv4 address.
func tcpAddr(t *testing.T, addrs []string, ip string) string {
	t.Helper()
	for _, a := range addrs {
		if strings.HasPrefix(a, "/ip4/"+ip+"/tcp/") {
			return a
		}
	}
	t.Fatalf("no TCP address on %s in %v", ip, addrs)
	return ""
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
