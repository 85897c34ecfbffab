import { callApi, errorText, showMessage } from './api.js';

const emailLine = document.getElementById('signed-in-as');
const email = document.getElementById('email');
const pageError = document.getElementById('page-error');
const pageStatus = document.getElementById('page-status');
const loading = document.getElementById('devices-loading');
const list = document.getElementById('devices');
const signOutOthers = document.getElementById('sign-out-others');
const logOut = document.getElementById('log-out');

const relativeTime = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absoluteTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** The session is gone (expired, revoked, logged out elsewhere): back to the login page. */
async function leave() {
  // Ends the session if it still exists (a user who is gone), so `/` shows the login form
  // instead of sending the person back here.
  await callApi('POST', '/auth/logout');
  window.location.replace('/');
}

async function loadAccount() {
  const [me, sessions] = await Promise.all([callApi('GET', '/me'), callApi('GET', '/sessions')]);
  if (me.status === 401 || sessions.status === 401) return leave();
  if (me.ok) {
    email.textContent = me.body.email;
    emailLine.hidden = false;
  }
  if (!me.ok || !sessions.ok) {
    showMessage(pageError, errorText(me.ok ? sessions : me));
    loading.textContent = 'Could not load your devices.';
    return;
  }
  showMessage(pageError, '');
  renderDevices(sessions.body);
}

async function reloadDevices() {
  const sessions = await callApi('GET', '/sessions');
  if (sessions.status === 401) return leave();
  if (!sessions.ok) {
    showMessage(pageError, errorText(sessions));
    return;
  }
  renderDevices(sessions.body);
}

/** @param {Array<any>} devices as GET /sessions answers them, newest first */
function renderDevices(devices) {
  // The current device first, then the others, newest first.
  const ordered = [
    ...devices.filter((device) => device.current),
    ...devices.filter((device) => !device.current),
  ];
  list.replaceChildren(...ordered.map(deviceItem));
  loading.hidden = true;
  signOutOthers.disabled = !devices.some((device) => !device.current);
}

function deviceItem(device) {
  const item = document.createElement('li');
  item.className = 'device';
  const name = deviceName(device);

  const heading = document.createElement('h3');
  heading.textContent = name;
  if (device.current) {
    item.setAttribute('aria-current', 'true');
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'This device';
    heading.append(' ', badge);
  }
  item.append(heading);

  const details = document.createElement('dl');
  details.append(
    detail('Browser', device.device.browser),
    detail('Operating system', device.device.os),
    detail('IP address', displayIp(device.ip)),
    detail('Last active', timeElement(device.lastSeenAt, true)),
    detail('Signed in', timeElement(device.createdAt, false)),
  );
  item.append(details);

  if (!device.current) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Sign out';
    button.addEventListener('click', () => void signOutDevice(device, name, button));
    item.append(button);
  }
  return item;
}

function deviceName(device) {
  return `${device.device.browser} on ${device.device.os}`;
}

/** @param {string} term @param {string | Node} value */
function detail(term, value) {
  const group = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.append(value); // a string is appended as a text node, never parsed as HTML
  group.append(dt, dd);
  return group;
}

function timeElement(iso, relative) {
  const time = document.createElement('time');
  const date = new Date(iso);
  time.dateTime = iso;
  time.title = absoluteTime.format(date);
  time.textContent = relative ? timeAgo(date) : absoluteTime.format(date);
  return time;
}

function timeAgo(date) {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return relativeTime.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 24) return relativeTime.format(-hours, 'hour');
  return relativeTime.format(-Math.round(hours / 24), 'day');
}

/** IPv4 clients of a dual-stack server show up as `::ffff:1.2.3.4`. */
function displayIp(ip) {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}

async function signOutDevice(device, name, button) {
  button.disabled = true;
  showMessage(pageError, '');
  const result = await callApi('DELETE', `/sessions/${encodeURIComponent(device.id)}`);
  if (result.status === 401) return leave();
  // 404: that device was signed out already (from elsewhere); the reload shows it gone.
  if (!result.ok && result.status !== 404) {
    showMessage(pageError, errorText(result));
    button.disabled = false;
    return;
  }
  pageStatus.textContent = `Signed out ${name}.`;
  await reloadDevices();
}

signOutOthers.addEventListener('click', () => {
  void (async () => {
    signOutOthers.disabled = true;
    showMessage(pageError, '');
    const result = await callApi('DELETE', '/sessions');
    if (result.status === 401) return leave();
    if (!result.ok) {
      showMessage(pageError, errorText(result));
      signOutOthers.disabled = false;
      return;
    }
    pageStatus.textContent = 'Signed out all other devices.';
    await reloadDevices();
  })();
});

logOut.addEventListener('click', () => {
  void (async () => {
    logOut.disabled = true;
    showMessage(pageError, '');
    const result = await callApi('POST', '/auth/logout');
    // 401: the session had ended already; either way this browser is logged out.
    if (result.ok || result.status === 401) {
      window.location.replace('/');
      return;
    }
    showMessage(pageError, errorText(result));
    logOut.disabled = false;
  })();
});

void loadAccount();
