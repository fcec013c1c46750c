from typing import Any

from .base_client import BaseClient
from .case_by_code import CaseByCode
from .forward_call import ForwardCall
from .input_types import EvaluateCaseInput, ReportCaseInput
from .record_callback import RecordCallback
from .track_case import TrackCase


def gql(q: str) -> str:
    return q


class HotlineClient(BaseClient):
    def forward_call(self, input: ReportCaseInput, **kwargs: Any) -> ForwardCall:
        query = gql("""
            mutation ForwardCall($input: ReportCaseInput!) {
              reportCase(input: $input) {
                case {
                  ...HotlineCase
                }
                errors {
                  code
                  field
                  message
                }
              }
            }

            fragment HotlineCase on Case {
              id
              code
              state
              level
              assigneeName
              result
              satisfaction
              reportedAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = self.execute(
            query=query, operation_name="ForwardCall", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ForwardCall.model_validate(data)

    def case_by_code(self, code: str, **kwargs: Any) -> CaseByCode:
        query = gql("""
            query CaseByCode($code: String!) {
              caseByCode(code: $code) {
                ...HotlineCase
                timeline {
                  seq
                  action
                  toState
                  at
                  note
                }
              }
            }

            fragment HotlineCase on Case {
              id
              code
              state
              level
              assigneeName
              result
              satisfaction
              reportedAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"code": code}
        response = self.execute(
            query=query, operation_name="CaseByCode", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CaseByCode.model_validate(data)

    def track_case(self, code: str, **kwargs: Any) -> TrackCase:
        query = gql("""
            query TrackCase($code: String!) {
              trackCase(code: $code) {
                code
                state
                level
                updatedAt
                timeline {
                  action
                  toState
                  at
                }
              }
            }
            """)
        variables: dict[str, object] = {"code": code}
        response = self.execute(
            query=query, operation_name="TrackCase", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return TrackCase.model_validate(data)

    def record_callback(
        self, input: EvaluateCaseInput, **kwargs: Any
    ) -> RecordCallback:
        query = gql("""
            mutation RecordCallback($input: EvaluateCaseInput!) {
              evaluateCase(input: $input) {
                case {
                  ...HotlineCase
                }
                errors {
                  code
                  field
                  message
                }
              }
            }

            fragment HotlineCase on Case {
              id
              code
              state
              level
              assigneeName
              result
              satisfaction
              reportedAt
              updatedAt
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = self.execute(
            query=query, operation_name="RecordCallback", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RecordCallback.model_validate(data)
