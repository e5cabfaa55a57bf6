// Web Push on this device: with the person's permission, the browser subscribes with
// the hub's key and the hub keeps the subscription for the signed-in member, so that an
// urgent meeting or an invitation reaches them even with the app closed.

import { call } from './api.js';
import { button, h } from './dom.js';
import { define, describe, t } from './i18n.js';

define({
  vi: {
    push_title: 'Thông báo trên thiết bị này',
    push_help: 'Nhận thông báo khi có cuộc họp khẩn hoặc giấy mời, kể cả khi ứng dụng đang đóng.',
    push_enable: 'Bật thông báo',
    push_disable: 'Tắt thông báo',
    push_on: 'Đã bật thông báo trên thiết bị này.',
    push_off: 'Chưa bật thông báo.',
    push_denied: 'Trình duyệt đang chặn thông báo của trang này: hãy cho phép trong phần cài đặt của trình duyệt.',
  },
  en: {
    push_title: 'Alerts on this device',
    push_help: 'Get an alert for an urgent meeting or an invitation, even with the app closed.',
    push_enable: 'Turn alerts on',
    push_disable: 'Turn alerts off',
    push_on: 'Alerts are on for this device.',
    push_off: 'Alerts are off.',
    push_denied: 'The browser blocks alerts from this site: allow them in the browser settings.',
  },
});

/** Whether this browser can receive Web Push from the hub (HTTPS and a service worker). */
export function pushSupported() {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** A card to turn alerts on or off for the signed-in member; nothing where unsupported. */
export function pushCard(session) {
  if (!pushSupported() || !session?.session?.member) return null;
  const status = h('p', { class: 'muted', role: 'status' });
  const slot = h('div', { class: 'push-actions' });
  const card = h('section', { class: 'card push-card' }, h('h2', {}, t('push_title')), h('p', {}, t('push_help')), status, slot);
  const refresh = async () => {
    const subscription = await currentSubscription();
    const denied = Notification.permission === 'denied';
    status.textContent = denied ? t('push_denied') : subscription ? t('push_on') : t('push_off');
    slot.replaceChildren(
      subscription
        ? button('secondary', t('push_disable'), () => act(() => disable(session.token, subscription)))
        : button('primary', t('push_enable'), () => act(() => enable(session.token)), { disabled: denied }),
    );
  };
  const act = async (change) => {
    try {
      await change();
    } catch (error) {
      status.textContent = describe(error);
      return;
    }
    await refresh();
  };
  refresh().catch(() => card.remove());
  return card;
}

async function currentSubscription() {
  const registration = await navigator.serviceWorker.getRegistration('/');
  return registration ? registration.pushManager.getSubscription() : null;
}

async function enable(token) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return;
  const { public_key: key } = await call('GET', '/api/push/key', { token });
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: fromBase64Url(key),
  });
  await call('POST', '/api/push/subscriptions', { token, body: subscription.toJSON() });
}

async function disable(token, subscription) {
  await call('DELETE', '/api/push/subscriptions', { token, body: { endpoint: subscription.endpoint } });
  await subscription.unsubscribe();
}

function fromBase64Url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
