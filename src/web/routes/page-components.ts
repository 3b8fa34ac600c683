import { type Context, Hono } from 'hono';
import * as svc from '../../domain/statuspages/components.service.ts';
import { isAssetKind, removeAsset, saveAsset } from '../../domain/statuspages/assets.service.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { parseDbId } from '../../lib/ids.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost } from '../forms.ts';
import { auditBy, requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { pageIdOf, renderSectionError } from './pages.ts';

type Verb = (deps: { db: AppEnv['Variables']['deps']['db']; clock: AppEnv['Variables']['deps']['clock'] }, accountId: number, pageId: number, c: Context<AppEnv>) => Promise<unknown>;

/**
 * One editor action: run the verb, then back to the editor (plain form post + redirect, so
 * it works without JavaScript); a user error re-renders the page with the message.
 */
function action(verb: Verb) {
  return async (c: Context<AppEnv>) => {
    const { db, clock } = c.get('deps');
    const pageId = pageIdOf(c);
    try {
      await verb({ db, clock }, authOf(c).account.id, pageId, c);
      return redirectAfterPost(c, `/pages/${pageId}?saved=components#components`);
    } catch (err) {
      return renderSectionError(c, err, pageId, 'components', c.get('form'));
    }
  };
}

/** Every route here changes the page. */
const write = requireRole('pages.write');

const dir = (c: Context<AppEnv>) => (c.req.param('dir') === 'up' ? 'up' : 'down');
const groupId = (c: Context<AppEnv>) => parseDbId(c.req.param('groupId'));
const componentId = (c: Context<AppEnv>) => parseDbId(c.req.param('componentId'));

/**
 * GET on a POST-only URL: a form error is re-rendered at the URL it was posted to, so a reload
 * asks for it with GET; send it to the editor section the form belongs to.
 */
const toEditor = (section: string) => (c: Context<AppEnv>) => {
  const pageId = pageIdOf(c);
  if (Number.isNaN(pageId)) throw new NotFoundError('Page');
  return c.redirect(`/pages/${pageId}#${section}`, 302);
};

/** The components editor of /pages/:pageId (groups, components, order) and its logo/favicon uploads. */
export const pageComponentRoutes = new Hono<AppEnv>()
  .get('/pages/:pageId/groups', toEditor('components'))
  .get('/pages/:pageId/components/:kind{monitor|manual}', toEditor('components'))
  .get('/pages/:pageId/assets/:kind{logo|favicon}', toEditor('assets'))
  .post('/pages/:pageId/groups', write, action((d, a, p, c) => svc.addGroup(d, a, p, c.get('form'))))
  .post('/pages/:pageId/groups/:groupId', write, action((d, a, p, c) => svc.renameGroup(d, a, p, groupId(c), c.get('form'))))
  .post('/pages/:pageId/groups/:groupId/delete', write, confirmFirst(async (c) => {
    const g = (await svc.getEditor(c.get('deps').db, authOf(c).account.id, pageIdOf(c))).groups.find((x) => x.id === groupId(c));
    if (!g) throw new NotFoundError('Group');
    return { title: `Delete the group "${g.name}"?`, detail: 'Its components stay on the page, ungrouped.', button: 'Delete group', cancel: `/pages/${pageIdOf(c)}#components` };
  }), action((d, a, p, c) => svc.deleteGroup(d, a, p, groupId(c))))
  .post('/pages/:pageId/groups/:groupId/move/:dir{up|down}', write, action((d, a, p, c) => svc.moveGroup(d, a, p, groupId(c), dir(c))))
  .post('/pages/:pageId/components/monitor', write, action((d, a, p, c) => svc.addMonitorComponent(d, a, p, c.get('form'), auditBy(c))))
  .post('/pages/:pageId/components/manual', write, action((d, a, p, c) => svc.addManualComponent(d, a, p, c.get('form'), auditBy(c))))
  .post('/pages/:pageId/components/:componentId', write, action((d, a, p, c) => svc.editComponent(d, a, p, componentId(c), c.get('form'))))
  .post('/pages/:pageId/components/:componentId/status', write, action((d, a, p, c) => svc.setManualStatus(d, a, p, componentId(c), c.get('form'))))
  .post('/pages/:pageId/components/:componentId/move/:dir{up|down}', write, action((d, a, p, c) => svc.moveComponent(d, a, p, componentId(c), dir(c))))
  .post('/pages/:pageId/components/:componentId/delete', write, confirmFirst(async (c) => {
    const comp = (await svc.getEditor(c.get('deps').db, authOf(c).account.id, pageIdOf(c))).components.find((x) => x.id === componentId(c));
    if (!comp) throw new NotFoundError('Component');
    return { title: `Remove "${comp.displayName}" from this page?`, detail: 'Its monitor keeps running; only the page stops showing it.', button: 'Remove', cancel: `/pages/${pageIdOf(c)}#components` };
  }), action((d, a, p, c) => svc.removeComponent(d, a, p, componentId(c), auditBy(c))))
  // Logo and favicon: multipart uploads (CSRF token in the `_csrf` field like any form).
  .post('/pages/:pageId/assets/:kind', write, async (c) => {
    const kind = c.req.param('kind');
    const pageId = pageIdOf(c);
    if (!isAssetKind(kind)) throw new NotFoundError('Asset');
    const { db, clock } = c.get('deps');
    try {
      let data: Uint8Array | null = null;
      if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
        // The body was already parsed (and cached) by the form middleware; this reads the file part.
        const file = (await c.req.formData().catch(() => null))?.get('file');
        if (file && typeof file !== 'string') data = new Uint8Array(await file.arrayBuffer());
      }
      await saveAsset({ db, clock }, authOf(c).account.id, pageId, kind, data);
      return redirectAfterPost(c, `/pages/${pageId}?saved=${kind}#assets`);
    } catch (err) {
      return renderSectionError(c, err, pageId, 'assets');
    }
  })
  .post('/pages/:pageId/assets/:kind/delete', write, async (c) => {
    const kind = c.req.param('kind');
    if (!isAssetKind(kind)) throw new NotFoundError('Asset');
    await removeAsset(c.get('deps').db, authOf(c).account.id, pageIdOf(c), kind);
    return redirectAfterPost(c, `/pages/${pageIdOf(c)}?saved=${kind}-removed#assets`);
  });
