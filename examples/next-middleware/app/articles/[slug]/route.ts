/** The article route behind the middleware: renders the variant the middleware signed. */
import { decisionForVariant } from 'meterwall';
import { readPageVariant } from 'meterwall/next';
import { STORIES, storyPage } from '../../../../shared/stories.js';
import { paywall } from '../../../paywall.js';

export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }): Promise<Response> {
  const story = STORIES[(await params).slug];
  if (!story) return new Response('Not found', { status: 404 });
  const variant = await readPageVariant(paywall, request.headers); // 'teaser' unless the middleware signed otherwise
  return new Response(storyPage(story, paywall.render(decisionForVariant(variant, story), story.html, story)), {
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-store' },
  });
}
