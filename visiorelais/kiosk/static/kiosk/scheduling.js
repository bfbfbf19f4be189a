/**
 * What kiosk.js asks of appointments and callbacks, in one place (appointments.js, callbacks.js).
 * kiosk.js hands over its screen helpers and its `actions` map (to which the modules add their touches) and calls
 * these hooks: onSnapshot, onEvent (true: the frame was handled here), hidesPartner, afterRender (home),
 * choose (true: the partner's tile was handled here), onUnavailable, onWaiting.
 */

import { installAppointments } from "./appointments.js";
import { installCallbacks } from "./callbacks.js";

export function installScheduling(kiosk) {
  const appointments = installAppointments(kiosk);
  const callbacks = installCallbacks(kiosk);
  return {
    onSnapshot: (msg) => appointments.onSnapshot(msg),
    onEvent: (msg) => appointments.onEvent(msg) || callbacks.onEvent(msg),
    hidesPartner: (id) => appointments.hidesPartner(id),
    afterRender: () => appointments.afterRender(),
    choose: (partner) => appointments.choose(partner),
    onUnavailable: (partner) => callbacks.onUnavailable(partner),
    onWaiting: (partner, call) => callbacks.onWaiting(partner, call),
  };
}
