"""openai engine: any OpenAI-compatible chat server (`vllm serve`, llama.cpp, hosted APIs).

Requests run concurrently up to a bound, spread round-robin over several base URLs for
scale-out; a request that fails after the client's own retries (exponential backoff on 429,
5xx, timeouts and connection errors) moves to the next URL, and one that fails on every URL
comes back skipped as `request_failed`, counted by the caller, never raised. The API key is read from an
environment variable named in the config and never stored, logged or written.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os

from seedling.errors import ConfigError

from seedling.teachers.protocol import Chat, Completion, Sampling, TeacherInfo, skipped

log = logging.getLogger(__name__)


class OpenAITeacher:
    def __init__(self, model: str | None, *, base_urls: list[str], api_key_env: str = "OPENAI_API_KEY",
                 concurrency: int = 16, retries: int = 5, timeout: float = 120.0):
        from openai import AsyncOpenAI

        if not model:
            raise ConfigError("the openai engine needs --model: the model name the server serves")
        if not base_urls:
            raise ConfigError("the openai engine needs at least one base URL (generate.base_urls or --base-url)")
        key = os.environ.get(api_key_env) or "EMPTY"  # local servers (vllm serve) accept any key
        self.clients = [AsyncOpenAI(base_url=url, api_key=key, max_retries=retries, timeout=timeout)
                        for url in base_urls]
        self.model = model
        self.concurrency = concurrency
        self.loop = asyncio.new_event_loop()  # one loop for the clients' whole life: their pools bind to it
        self.info = TeacherInfo("openai", model, None, {"base_urls": list(base_urls)})

    def complete(self, prompts: list[Chat], sampling: Sampling) -> list[Completion]:
        return self.loop.run_until_complete(self._all(prompts, sampling))

    async def _all(self, prompts: list[Chat], sampling: Sampling) -> list[Completion]:
        gate = asyncio.Semaphore(self.concurrency)
        start = itertools.count()

        async def one(i: int, chat: Chat) -> Completion:
            async with gate:
                return await self._one(chat, sampling, next(start), i)

        return list(await asyncio.gather(*(one(i, c) for i, c in enumerate(prompts))))

    async def _one(self, chat: Chat, sampling: Sampling, first: int, i: int) -> Completion:
        import openai

        last: Exception | None = None
        for k in range(len(self.clients)):
            client = self.clients[(first + k) % len(self.clients)]
            try:
                response = await client.chat.completions.create(
                    model=self.model, messages=chat, temperature=sampling.temperature, top_p=sampling.top_p,
                    max_tokens=sampling.max_tokens, stop=list(sampling.stop) or None, seed=sampling.seed + i)
            except openai.BadRequestError as exc:  # e.g. longer than the context: this prompt only
                log.debug("request rejected: %s", exc.message)
                return skipped("rejected_by_server")
            except (openai.APIConnectionError, openai.APIStatusError) as exc:
                last = exc
                continue
            choice = response.choices[0]
            usage = response.usage
            return Completion(choice.message.content or "", usage.prompt_tokens if usage else 0,
                              usage.completion_tokens if usage else 0,
                              "length" if choice.finish_reason == "length" else "stop")
        # One bad request must not fail its batch, its shard or the run: it is answered as
        # skipped, and the caller counts it (a teacher that answers nothing stalls the run).
        log.warning("every server failed for a request after retries; last error: %s", _describe(last))
        return skipped("request_failed")

    def close(self) -> None:
        for client in self.clients:
            self.loop.run_until_complete(client.close())
        self.clients = []
        self.loop.close()


def _describe(exc: Exception | None) -> str:
    """The error's class and status only: messages may echo request headers."""
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if status else "")
