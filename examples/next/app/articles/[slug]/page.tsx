/** An article page behind the proxy: renders the variant the middleware signed, never more. */
import { headers } from 'next/headers';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { decisionForVariant } from 'meterwall';
import { readPageVariant } from 'meterwall/next';
import { STORIES, renderer } from '../../../../shared/stories';
import { getPaywall } from '../../../paywall';

export default async function ArticlePage({ params }: { params: Promise<{ slug: string }> }) {
  const story = STORIES[(await params).slug];
  if (!story) notFound();
  const variant = await readPageVariant(getPaywall, await headers(), story); // 'teaser' unless the proxy signed it for this story
  const { html, prompt, structuredData } = renderer.render(decisionForVariant(variant, story), story.html, story);
  return (
    <article data-variant={variant}>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: meterwall's JSON-LD script, every value escaped so nothing can close it. */}
      <div dangerouslySetInnerHTML={{ __html: structuredData }} />
      <p>
        <Link href="/">The Courier</Link>
      </p>
      <h1>{story.title}</h1>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the teaser cut on the server (sanitized, well-formed) and the prompt, escaped. */}
      <div dangerouslySetInnerHTML={{ __html: html + prompt }} />
    </article>
  );
}
