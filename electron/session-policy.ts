// Applies the security policy to the app's session: serves app:// with its CSP, adds the CSP to the dev
// server's pages, and denies every permission and device the app does not need.

import type { Session } from 'electron';
import { serveAppRequest } from './app-protocol.ts';
import { APP_SCHEME, isAppUrl, type SenderPolicy } from './ipc/sender.ts';
import { devCsp, isPermissionAllowed } from './security.ts';

/** For `protocol.registerSchemesAsPrivileged`, before `ready`: standard + secure so WebGPU has a secure context. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
};

export function applySessionPolicy(session: Session, rendererRoot: string, policy: SenderPolicy): void {
  session.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request.url, rendererRoot));

  const devOrigin = policy.devOrigin;
  if (devOrigin) {
    const csp = devCsp(devOrigin);
    session.webRequest.onHeadersReceived({ urls: [`${devOrigin}/*`] }, (details, callback) => {
      const headers = { ...details.responseHeaders };
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'content-security-policy') delete headers[name];
      callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [csp] } });
    });
  }

  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const url = details.requestingUrl || contents.getURL();
    callback(isPermissionAllowed(permission, isAppUrl(url, policy)));
  });
  session.setPermissionCheckHandler((_contents, permission, origin) =>
    isPermissionAllowed(permission, isAppUrl(origin, policy)),
  );
  session.setDevicePermissionHandler(() => false);
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
}
