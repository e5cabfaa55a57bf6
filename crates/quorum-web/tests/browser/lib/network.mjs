// A device's network link to the hub, which a scenario can cut and restore. Chromium's
// offline emulation (`context.setOffline`) leaves open WebSockets running, so the
// device's WebSocket is routed through here as well: a cut closes it the way a dead link
// does (code 1006) and refuses reconnects until the network is back.

/** The WebSocket endpoint of the hub, as the app opens it. */
const SOCKET = /\/ws$/;

export class Network {
  /** Routes `context`'s WebSockets through a switch, before any page opens. */
  static async attach(context) {
    const network = new Network(context);
    await context.routeWebSocket(SOCKET, (route) => network.open(route));
    return network;
  }

  constructor(context) {
    this.context = context;
    this.down = false;
    this.losingAnswers = false;
    /** Open links: {device, hub} route pairs. */
    this.links = new Set();
  }

  open(device) {
    if (this.down) {
      device.close({ code: 1006, reason: 'network down' });
      return;
    }
    const hub = device.connectToServer();
    const link = { device, hub };
    this.links.add(link);
    device.onMessage((message) => hub.send(message));
    hub.onMessage((message) => {
      // A link about to die: what the hub sends is lost on the way.
      if (!this.losingAnswers) device.send(message);
    });
    device.onClose((code, reason) => {
      this.links.delete(link);
      hub.close({ code, reason });
    });
    hub.onClose((code, reason) => {
      this.links.delete(link);
      device.close({ code, reason });
    });
  }

  /**
   * From now on the device's messages still reach the hub, but nothing comes back: a
   * ballot is counted, and its acknowledgement never arrives.
   */
  loseAnswers() {
    this.losingAnswers = true;
  }

  /** The network goes down: the browser goes offline and the open sockets die. */
  async cut() {
    this.down = true;
    await this.context.setOffline(true);
    const links = [...this.links];
    this.links.clear();
    for (const { device, hub } of links) {
      device.close({ code: 1006, reason: 'network down' });
      hub.close();
    }
  }

  /** The network is back: the browser goes online (the app reconnects at once). */
  async restore() {
    this.down = false;
    this.losingAnswers = false;
    await this.context.setOffline(false);
  }
}
