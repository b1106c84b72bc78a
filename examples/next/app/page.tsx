/** The front page: a `<Link>` per story, which Next prefetches as soon as the page is open. */
import Link from 'next/link';
import { STORIES } from '../../shared/stories';

export default function FrontPage() {
  return (
    <main>
      <h1>The Courier</h1>
      <ul>
        {Object.values(STORIES).map((story) => (
          <li key={story.id}>
            <Link href={`/articles/${story.id}`}>{story.title}</Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
