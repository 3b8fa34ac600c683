import { describe, expect, it } from 'vitest';
import { parseSteps } from '../../src/domain/checks/probes/browser.ts';

describe('browser journey steps', () => {
  it('parses the five step kinds', () => {
    expect(parseSteps('goto https://example.com/login\nfill #email = me@example.com\nclick text=Sign in\nexpect text Welcome\nexpect url /home\n# a comment')).toEqual([
      { op: 'goto', url: 'https://example.com/login' },
      { op: 'fill', target: '#email', value: 'me@example.com' },
      { op: 'click', target: 'text=Sign in' },
      { op: 'expect_text', text: 'Welcome' },
      { op: 'expect_url', text: '/home' },
    ]);
  });

  it('says which line is wrong', () => {
    expect(() => parseSteps('')).toThrow('Add at least one step');
    expect(() => parseSteps('click #x')).toThrow('The first step must be goto <url>');
    expect(() => parseSteps('goto https://a.b\nevaluate alert(1)')).toThrow('Step 2: "evaluate alert(1)" is not a step');
    expect(() => parseSteps('goto file:///etc/passwd')).toThrow('Step 1: only http:// and https:// pages');
    expect(() => parseSteps('goto /relative')).toThrow('Step 1: "/relative" is not a full URL');
  });
});
