"""openai engine: any OpenAI-compatible chat server (`vllm serve`, llama.cpp, hosted APIs).

Several base URLs scale out: each request goes to the live server with the fewest requests
outstanding, at most `concurrency` at once per server, and a server that dies mid-run is
marked out while its requests move to the others (seedling/teachers/balancer.py). A 429 or
5xx is retried with backoff; a request that still fails comes back skipped as
`request_failed`, counted by the caller, never raised, so one bad request cannot fail its
batch, shard or run. The API key is read from an environment variable named in the config
and never stored, logged or written.
"""

from __future__ import annotations

import asyncio
import logging
import os
from importlib.util import find_spec

from seedling.errors import ConfigError

from seedling.teachers.balancer import Balancer, RequestFailed
from seedling.teachers.protocol import Chat, Completion, Sampling, TeacherInfo, skipped

log = logging.getLogger(__name__)


class OpenAITeacher:
    def __init__(self, model: str | None, *, base_urls: list[str], api_key_env: str = "OPENAI_API_KEY",
                 concurrency: int = 16, retries: int = 5, timeout: float = 120.0):
        if not model:
            raise ConfigError("the openai engine needs --model: the model name the server serves")
        if not base_urls:
            raise ConfigError("the openai engine needs at least one base URL (generate.base_urls or --base-url)")
        if find_spec("openai") is None:
            raise ConfigError("the openai engine needs the openai package: pip install 'seedling[openai]'")
        key = os.environ.get(api_key_env) or "EMPTY"  # local servers (vllm serve) accept any key
        self.servers = Balancer(list(base_urls), api_key=key, per_server=concurrency, retries=retries,
                                timeout=timeout)
        self.model = model
        self.loop = asyncio.new_event_loop()  # one loop for the clients' whole life: their pools bind to it
        self.info = TeacherInfo("openai", model, None, {"base_urls": list(base_urls)})

    def complete(self, prompts: list[Chat], sampling: Sampling) -> list[Completion]:
        return self.loop.run_until_complete(self._all(prompts, sampling))

    async def _all(self, prompts: list[Chat], sampling: Sampling) -> list[Completion]:
        """Every prompt at once: the balancer holds each back until a server has a free slot."""
        return list(await asyncio.gather(*(self._one(chat, sampling, i) for i, chat in enumerate(prompts))))

    async def _one(self, chat: Chat, sampling: Sampling, i: int) -> Completion:
        import openai

        try:
            response = await self.servers.send(lambda client: client.chat.completions.create(
                model=self.model, messages=chat, temperature=sampling.temperature, top_p=sampling.top_p,
                max_tokens=sampling.max_tokens, stop=list(sampling.stop) or None, seed=sampling.seed + i))
        except openai.BadRequestError as exc:  # e.g. longer than the context: this prompt only
            log.debug("request rejected: %s", exc.message)
            return skipped("rejected_by_server")
        except RequestFailed as exc:  # a teacher that answers nothing stalls the run, by the caller's count
            log.warning("%s", exc)
            return skipped("request_failed")
        choice = response.choices[0]
        usage = response.usage
        return Completion(choice.message.content or "", usage.prompt_tokens if usage else 0,
                          usage.completion_tokens if usage else 0,
                          "length" if choice.finish_reason == "length" else "stop")

    def complete_raw(self, texts: list[str], sampling: Sampling) -> list[Completion]:
        """Plain-text continuation through the servers' /completions endpoint (vllm serve and
        llama.cpp have one; chat-only hosted APIs do not, which is a clear error)."""
        return self.loop.run_until_complete(self._all_raw(texts, sampling))

    async def _all_raw(self, texts: list[str], sampling: Sampling) -> list[Completion]:
        return list(await asyncio.gather(*(self._one_raw(text, sampling, i) for i, text in enumerate(texts))))

    async def _one_raw(self, text: str, sampling: Sampling, i: int) -> Completion:
        import openai

        try:
            response = await self.servers.send(lambda client: client.completions.create(
                model=self.model, prompt=text, temperature=sampling.temperature, top_p=sampling.top_p,
                max_tokens=sampling.max_tokens, stop=list(sampling.stop) or None, seed=sampling.seed + i))
        except openai.NotFoundError:
            raise ConfigError("the server has no /completions endpoint (raw completion: magpie, and self-instruct "
                              "with tasks_prompt: continue); serve the model with vllm serve or llama.cpp, or "
                              "for self-instruct set tasks_prompt: chat") from None
        except openai.BadRequestError as exc:
            log.debug("request rejected: %s", exc.message)
            return skipped("rejected_by_server")
        except RequestFailed as exc:
            log.warning("%s", exc)
            return skipped("request_failed")
        choice, usage = response.choices[0], response.usage
        return Completion(choice.text or "", usage.prompt_tokens if usage else 0,
                          usage.completion_tokens if usage else 0,
                          "length" if choice.finish_reason == "length" else "stop")

    def close(self) -> None:
        self.loop.run_until_complete(self.servers.aclose())
        self.loop.close()
