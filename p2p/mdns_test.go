package p2p

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"
)

// multicastProbe checks that an IPv4 multicast datagram sent on this machine
// comes back to a socket of this process, which is what mDNS between two
// peers of one process needs. It returns why not when it does not.
func multicastProbe() error {
	ifaces, err := net.Interfaces()
	if err != nil {
		return fmt.Errorf("list interfaces: %w", err)
	}
	var errs []error
	for _, ifi := range ifaces {
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagMulticast == 0 {
			continue
		}
		if err := probeInterface(&ifi); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ifi.Name, err))
			continue
		}
		return nil
	}
	if len(errs) == 0 {
		return fmt.Errorf("no interface is up with multicast enabled")
	}
	return fmt.Errorf("no multicast loopback: %v", errs)
}

func probeInterface(ifi *net.Interface) error {
	free, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		return err
	}
	port := free.LocalAddr().(*net.UDPAddr).Port
	_ = free.Close()
	group := &net.UDPAddr{IP: net.IPv4(239, 255, 67, 76), Port: port}
	rc, err := net.ListenMulticastUDP("udp4", ifi, group)
	if err != nil {
		return fmt.Errorf("join group: %w", err)
	}
	defer rc.Close()
	sc, err := net.DialUDP("udp4", nil, group)
	if err != nil {
		return fmt.Errorf("dial group: %w", err)
	}
	defer sc.Close()
	want := []byte("caravan multicast probe")
	buf := make([]byte, 64)
	for range 3 {
		if _, err := sc.Write(want); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		_ = rc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, _, err := rc.ReadFromUDP(buf)
		if err == nil && bytes.Equal(buf[:n], want) {
			return nil
		}
	}
	return fmt.Errorf("sent 3 datagrams to %v, none came back", group)
}

func TestMDNSDiscovery(t *testing.T) {
	t.Parallel()
	if err := multicastProbe(); err != nil {
		t.Skipf("SKIP: IPv4 multicast does not work on this machine, so mDNS cannot: %v", err)
	}
	mdnsOn := func(c *Config) { c.MDNS = true }
	a := newTestPeer(t, nil, mdnsOn)
	b := newTestPeer(t, nil, mdnsOn)
	if a.mdns == nil || b.mdns == nil {
		t.Fatal("mDNS service did not start although multicast works")
	}
	start := time.Now()
	eventually(t, 15*time.Second, "the two peers to find each other by mDNS", func() bool {
		return a.connected(b) && b.connected(a)
	})
	t.Logf("found each other by mDNS in %v", time.Since(start).Round(time.Millisecond))
}
