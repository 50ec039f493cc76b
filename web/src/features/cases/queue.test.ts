import { describe, expect, it } from 'vitest';
import { LABEL_KEYS, t } from '../../shared/i18n';
import { parseRoute, urlOf } from '../../shared/router';
import { offeredActions, transitionBody } from './actions';
import { byDeadline, queueParams, timeLeft } from './queue';

describe('the queue', () => {
  it('is the department’s open work for a handler and the command steps for the rest', () => {
    const handler = queueParams(
      'mine',
      { role: 'department_handler', department: 'water' },
      { scope: '500109' },
    );
    expect(handler).toMatchObject({
      department: 'water',
      status: 'dispatched,in_progress,rework',
      scope: '500109',
    });
    const commander = queueParams(
      'mine',
      { role: 'county_commander', department: null },
      { scope: '500109' },
    );
    expect(commander.status).toBe('reported,registered,handled,verified,suspended');
    expect(commander.department).toBeUndefined();
    expect(queueParams('overdue', { role: 'viewer', department: null }, { scope: '50' }).overdue).toBe(true);
  });

  it('asks the server for deadline order on queues of open work only', () => {
    const viewer = { role: 'viewer', department: null };
    expect(queueParams('open', viewer, { scope: '50', sort: 'deadline' }).sort).toBe('deadline');
    expect(queueParams('mine', viewer, { scope: '50', sort: 'deadline' }).sort).toBe('deadline');
    // sort=deadline lists open cases only: closed and all stay newest first, sorted on the page.
    expect(queueParams('closed', viewer, { scope: '50', sort: 'deadline' }).sort).toBeUndefined();
    expect(queueParams('all', viewer, { scope: '50', sort: 'deadline' }).sort).toBeUndefined();
    expect(queueParams('open', viewer, { scope: '50', sort: 'newest' }).sort).toBeUndefined();
  });

  it('sorts overdue first, then by the deadline that matters now, then by priority', () => {
    const c = (id: string, deadline: string, overdue = false, priority: 'urgent' | 'normal' = 'normal') => ({
      id,
      stageDeadline: deadline,
      dueAt: '2030-01-01T00:00:00Z',
      overdue,
      priority,
    });
    const sorted = byDeadline([
      c('late', '2026-01-01T12:00:00Z'),
      c('overdue', '2026-01-01T15:00:00Z', true),
      c('soon-normal', '2026-01-01T10:00:00Z'),
      c('soon-urgent', '2026-01-01T10:00:00Z', false, 'urgent'),
    ]);
    expect(sorted.map((x) => x.id)).toEqual(['overdue', 'soon-urgent', 'soon-normal', 'late']);
  });

  it('shows time left, and time past the deadline as negative', () => {
    expect(timeLeft(3_600_000 * 2 + 300_000, 0)).toEqual({ text: '2h05m', late: false, soon: false });
    expect(timeLeft(0, 35 * 60_000)).toEqual({ text: '-35m', late: true, soon: false });
    expect(timeLeft(10 * 60_000, 0).soon).toBe(true);
  });
});

describe('case actions', () => {
  it('offers only what the server allows, the main-path step first', () => {
    expect(offeredActions(['comment', 'verify_fail', 'verify_pass', 'bogus'])).toEqual([
      'verify_pass',
      'comment',
      'verify_fail',
    ]);
    // Split moves some, never all, of the reports: offered from two reports on.
    expect(offeredActions(['comment', 'split'], 1)).toEqual(['comment']);
    expect(offeredActions(['comment', 'split'], 3)).toEqual(['comment', 'split']);
  });

  it('asks a split for a note and some, not all, of the case’s reports', () => {
    const form = { note: '另一处占道', department: '', minutes: '', into: '' };
    expect(transitionBody('split', { ...form, occurrences: [] }, 3)).toEqual({ problem: 'occurrences' });
    expect(transitionBody('split', { ...form, occurrences: ['a', 'b', 'c'] }, 3)).toEqual({
      problem: 'occurrences',
    });
    expect(transitionBody('split', { ...form, note: '', occurrences: ['a'] }, 3)).toEqual({
      problem: 'note',
    });
    expect(transitionBody('split', { ...form, occurrences: ['a', 'c'] }, 3)).toEqual({
      body: { action: 'split', note: '另一处占道', occurrences: ['a', 'c'] },
    });
  });

  it('locates a case (定位) only with a point on the globe, sent as numbers', () => {
    const form = { note: '', department: '', minutes: '', into: '' };
    expect(offeredActions(['comment', 'locate'])).toEqual(['locate', 'comment']);
    expect(transitionBody('locate', { ...form, lon: '', lat: '29.55' })).toEqual({ problem: 'point' });
    expect(transitionBody('locate', { ...form, lon: '东经106', lat: '29.55' })).toEqual({ problem: 'point' });
    expect(transitionBody('locate', { ...form, lon: '106.5', lat: '95' })).toEqual({ problem: 'point' });
    expect(transitionBody('locate', { ...form, lon: ' 106.5775 ', lat: '29.5576' })).toEqual({
      body: { action: 'locate', lon: 106.5775, lat: 29.5576 },
    });
  });

  it('sends a public reply (公开回复) apart from the internal note; a comment may be a public reply alone', () => {
    const empty = { note: '', publicNote: '', department: '', minutes: '', into: '' };
    expect(transitionBody('comment', empty)).toEqual({ problem: 'note' });
    expect(transitionBody('comment', { ...empty, publicNote: ' 已安排维修 ' })).toEqual({
      body: { action: 'comment', publicNote: '已安排维修' },
    });
    expect(transitionBody('verify_fail', { ...empty, publicNote: '仍在处理' })).toEqual({ problem: 'note' });
    expect(transitionBody('close', { ...empty, note: '班组3', publicNote: '已修复' })).toEqual({
      body: { action: 'close', note: '班组3', publicNote: '已修复' },
    });
  });

  it('asks for a note where the lifecycle requires one, and for the fields an action needs', () => {
    const empty = { note: '', department: '', minutes: '', into: '' };
    expect(transitionBody('register', empty)).toEqual({ body: { action: 'register' } });
    expect(transitionBody('verify_fail', empty)).toEqual({ problem: 'note' });
    expect(transitionBody('verify_fail', { ...empty, note: ' 积水未退 ' })).toEqual({
      body: { action: 'verify_fail', note: '积水未退' },
    });
    expect(transitionBody('dispatch', empty)).toEqual({ body: { action: 'dispatch' } });
    expect(transitionBody('reassign', { ...empty, note: '改派' })).toEqual({ problem: 'department' });
    expect(transitionBody('request_extension', { ...empty, note: '等待材料', minutes: 'x' })).toEqual({
      problem: 'minutes',
    });
    expect(transitionBody('request_extension', { ...empty, note: '等待材料', minutes: '120' })).toEqual({
      body: { action: 'request_extension', note: '等待材料', minutes: 120 },
    });
  });
});

describe('addresses and labels', () => {
  it('routes every screen by URL, the overview at any scope', () => {
    for (const url of [
      '/',
      '/?scope=500109',
      '/workbench',
      '/cases/C1',
      '/alarms',
      '/sensors',
      '/sensors/S-1',
    ]) {
      const [pathname, search = ''] = url.split('?');
      expect(urlOf(parseRoute(pathname!, search ? `?${search}` : ''))).toBe(url);
    }
  });

  it('has every label in both languages', () => {
    for (const key of LABEL_KEYS) {
      expect(t(key, 'zh').length, key).toBeGreaterThan(0);
      expect(t(key, 'en').length, key).toBeGreaterThan(0);
      expect(t(key, 'en'), key).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
