package cli

import (
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
)

func (e *env) nodeCommand() *cobra.Command {
	net := netFlags{alwaysOn: true}
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run a headless, always-on peer until interrupted",
		Long: "node runs the same peer as the desktop app, without a window, until SIGINT or SIGTERM.\n" +
			"It prints its peer ID and listen addresses on start.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := e.open(net.options(), true)
			if err != nil {
				return err
			}
			defer n.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if err := n.Start(ctx); err != nil {
				return err
			}
			st, err := n.Status(ctx)
			if err != nil {
				return err
			}
			if err := e.print(map[string]any{"peer_id": st.PeerID, "addrs": st.Addrs}, func(w io.Writer) {
				fmt.Fprintf(w, "peer %s\n", st.PeerID)
				for _, a := range st.Addrs {
					fmt.Fprintf(w, "listening on %s\n", a)
				}
			}); err != nil {
				return err
			}
			<-ctx.Done()
			return nil
		},
	}
	net.register(cmd)
	cmd.Flags().BoolVar(&net.relay, "relay", false, "offer a circuit relay to peers behind NATs that cannot be reached directly")
	return cmd
}

// netFlags are the network flags of the node and of the desktop app.
type netFlags struct {
	listen, peers, bootstrap  []string
	noMDNS, noDHT, privateDHT bool
	noNAT, relay, alwaysOn    bool
}

func (f *netFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVar(&f.listen, "listen", nil, "multiaddr to listen on (repeatable; default all interfaces, TCP and QUIC, any port)")
	fs.StringArrayVar(&f.peers, "peer", nil, "multiaddr with /p2p/ID of a peer to stay connected with (repeatable)")
	fs.BoolVar(&f.noMDNS, "no-mdns", false, "do not discover peers on the local network")
	fs.StringArrayVar(&f.bootstrap, "bootstrap", nil, "multiaddr with /p2p/ID of a DHT bootstrap peer (repeatable; default the public IPFS ones)")
	fs.BoolVar(&f.noDHT, "no-dht", false, "stay off the DHT: find peers only on the LAN and through --peer")
	fs.BoolVar(&f.privateDHT, "private-dht", false, "use Caravan's own DHT (with --bootstrap) instead of the public IPFS DHT")
	fs.BoolVar(&f.noNAT, "no-nat", false, "do not ask the router to forward a port (UPnP, NAT-PMP)")
}

func (f *netFlags) options() app.Options {
	return app.Options{
		Listen: f.listen, Peers: f.peers, MDNS: !f.noMDNS,
		NoDHT: f.noDHT, Bootstrap: f.bootstrap, PrivateDHT: f.privateDHT,
		NoPortMap: f.noNAT, Relay: f.relay, AlwaysOn: f.alwaysOn,
	}
}
